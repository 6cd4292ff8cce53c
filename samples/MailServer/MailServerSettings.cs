using System.Net;

namespace MailServer;

/// <summary>What the command line asked for, validated; <see cref="CommandLine"/> builds it.</summary>
internal sealed class MailServerSettings
{
    /// <summary>The endpoint used when no <c>--listen</c> or <c>--implicit-tls</c> is given.</summary>
    public static readonly IPEndPoint DefaultEndPoint = new(IPAddress.Loopback, 2525);

    /// <summary>The Maildir used when neither <c>--maildir</c> nor <c>--discard</c> is given.</summary>
    public const string DefaultMaildir = "mail";

    public required IReadOnlyList<IPEndPoint> Listen { get; init; }

    public IReadOnlyList<IPEndPoint> ImplicitTls { get; init; } = [];

    public string? CertificatePath { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Users { get; init; } = [];

    public bool RequireAuth { get; init; }

    /// <summary>Null when <see cref="Discard"/> is set.</summary>
    public string? Maildir { get; init; }

    public bool Discard { get; init; }

    public long? MaxMessageSize { get; init; }

    public int? MaxRecipients { get; init; }

    public TimeSpan? CommandTimeout { get; init; }

    public int? MaxConnections { get; init; }

    public int? MaxConnectionsPerAddress { get; init; }

    public bool Lmtp { get; init; }

    /// <summary>True when any option asks for TLS or AUTH.</summary>
    public bool NeedsTlsOrAuth =>
        ImplicitTls.Count > 0 || CertificatePath is not null || Users.Count > 0 || RequireAuth;
}
