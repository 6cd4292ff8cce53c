using Smtp.Core.Protocol;

namespace Smtp.Core.Client;

/// <summary>The outcome of one message: a reply for every recipient, in envelope order.</summary>
public sealed class SmtpSendResult
{
    internal SmtpSendResult(SmtpReply mailReply, IReadOnlyList<SmtpRecipientResult> recipients, SmtpReply? dataReply)
    {
        MailReply = mailReply;
        Recipients = recipients;
        DataReply = dataReply;
    }

    /// <summary>The reply to MAIL FROM.</summary>
    public SmtpReply MailReply { get; }

    /// <summary>Each recipient's result, in envelope order.</summary>
    public IReadOnlyList<SmtpRecipientResult> Recipients { get; }

    /// <summary>
    /// The reply to the end of the data (SMTP), or the last recipient's reply (LMTP); <see langword="null"/> when no
    /// data was sent because every recipient was refused.
    /// </summary>
    public SmtpReply? DataReply { get; }

    /// <summary>Whether every recipient was accepted.</summary>
    public bool AllAccepted => Recipients.All(r => r.Accepted);

    /// <summary>Whether at least one recipient was accepted.</summary>
    public bool AnyAccepted => Recipients.Any(r => r.Accepted);
}
