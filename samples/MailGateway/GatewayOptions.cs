namespace MailGateway;

/// <summary>The gateway's own policy (section "Gateway" of appsettings.json).</summary>
internal sealed class GatewayOptions
{
    /// <summary>Recipient domains the gateway accepts mail for; anything else is relaying and refused 550 5.7.1.</summary>
    public List<string> AllowedDomains { get; } = [];

    /// <summary>Messages one sender may have accepted per sliding hour; more get 450 4.7.1 at MAIL. 0 for no limit.</summary>
    public int MaxMessagesPerSenderPerHour { get; set; } = 20;

    /// <summary>How long an unknown (client address, sender, recipient) triple must wait before its retry is accepted; zero turns greylisting off.</summary>
    public TimeSpan GreylistDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long after the first attempt a retry still counts; later, the triple starts over.</summary>
    public TimeSpan GreylistRetryWindow { get; set; } = TimeSpan.FromHours(4);

    /// <summary>How long a triple that passed is remembered and let through without delay.</summary>
    public TimeSpan GreylistPassedLifetime { get; set; } = TimeSpan.FromDays(36);

    /// <summary>Where accepted messages are written: one .eml file and one .json envelope per message.</summary>
    public string MailDirectory { get; set; } = "mail/gateway";
}
