using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Smtp.Core.Auth;

namespace Smtp.Core.Client;

/// <summary>How an <see cref="SmtpClient"/> connects, secures, authenticates and times out.</summary>
/// <remarks>
/// The defaults are the safe ones: STARTTLS required, certificate and host-name validation on, RFC 5321 §4.5.3.2
/// timeouts. The options are read when a connection is made; changing them afterwards affects only later
/// connections.
/// </remarks>
public sealed class SmtpClientOptions
{
    /// <summary>The server's host name or IP address.</summary>
    public required string Host { get; init; }

    /// <summary>The server's port: 25 or 587 for SMTP, 465 for implicit TLS, 24 for LMTP.</summary>
    public int Port { get; init; } = 25;

    /// <summary>How the connection is secured. Default: <see cref="SmtpTlsMode.StartTlsRequired"/>.</summary>
    public SmtpTlsMode TlsMode { get; init; } = SmtpTlsMode.StartTlsRequired;

    /// <summary>
    /// The name the server's certificate is validated against and sent as SNI; default: <see cref="Host"/>.
    /// </summary>
    public string? TargetHost { get; init; }

    /// <summary>
    /// Replaces the default certificate validation (chain and host name must both be valid). Return
    /// <see langword="true"/> to accept. Leave <see langword="null"/> for the default.
    /// </summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidation { get; init; }

    /// <summary>Client certificates offered during the TLS handshake, if any.</summary>
    public X509CertificateCollection? ClientCertificates { get; init; }

    /// <summary>The domain or address literal sent with EHLO/HELO/LHLO; default: the machine's host name.</summary>
    public string? ClientName { get; init; }

    /// <summary>Speak LMTP (RFC 2033): LHLO instead of EHLO, one reply per recipient after the data.</summary>
    public bool UseLmtp { get; init; }

    /// <summary>
    /// Credentials for AUTH (RFC 4954), or <see langword="null"/> to send mail unauthenticated: a user name and password
    /// (<see cref="SaslClientCredentials.FromPassword"/>) for SCRAM-SHA-256, CRAM-MD5, PLAIN and LOGIN, or an access
    /// token (<see cref="SaslClientCredentials.FromAccessToken"/>) for OAUTHBEARER and XOAUTH2.
    /// </summary>
    public SaslClientCredentials? Credentials { get; init; }

    /// <summary>
    /// The SASL mechanism to use, such as <c>SCRAM-SHA-256</c>; <see langword="null"/> picks the strongest the server
    /// offers and the client supports. A named mechanism the server does not offer is an error.
    /// </summary>
    public string? AuthMechanism { get; init; }

    /// <summary>
    /// Whether AUTH may be sent over a connection that is not encrypted. Default <see langword="false"/>: the
    /// password never crosses the network in the clear.
    /// </summary>
    public bool AllowAuthWithoutTls { get; init; }

    /// <summary>Whether to pipeline MAIL and RCPT commands when the server offers PIPELINING (RFC 2920). Default on.</summary>
    public bool UsePipelining { get; init; } = true;

    /// <summary>Whether to send with BDAT when the server offers CHUNKING (RFC 3030). Default on.</summary>
    public bool UseChunking { get; init; } = true;

    /// <summary>The size of each BDAT chunk in bytes. Default 64 KiB.</summary>
    public int ChunkSize { get; init; } = 64 * 1024;

    /// <summary>How long establishing the TCP connection (and the TLS handshake) may take. Default 30 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the client waits for any reply but the one to the end of data. Default 5 min (RFC 5321 §4.5.3.2).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long the client waits for the reply to the end of data, and for each write of data to complete.
    /// Default 10 min (RFC 5321 §4.5.3.2.6).
    /// </summary>
    public TimeSpan DataTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest reply line accepted, in bytes. Default 2048 (RFC 5321 §4.5.3.1.5 sets 512 as the minimum).</summary>
    public int MaxReplyLineLength { get; init; } = 2048;

    /// <summary>The most lines one multi-line reply may have. Default 128.</summary>
    public int MaxReplyLines { get; init; } = 128;

    /// <summary>
    /// Receives the transcript at <see cref="LogLevel.Trace"/> (commands as <c>C:</c>, replies as <c>S:</c>) and
    /// connection events at <see cref="LogLevel.Debug"/>. AUTH arguments and exchanges are never logged.
    /// </summary>
    public ILogger? Logger { get; init; }

    internal string EffectiveTargetHost => TargetHost ?? Host;

    internal string EffectiveClientName => ClientName ?? DefaultClientName.Value;

    private static readonly Lazy<string> DefaultClientName = new(() =>
    {
        string name = Dns.GetHostName();
        return string.IsNullOrEmpty(name) || name.AsSpan().IndexOfAny("\r\n\0 ") >= 0 ? "localhost" : name;
    });

    /// <summary>Throws <see cref="ArgumentException"/> when an option is out of range or unsafe.</summary>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReplyLineLength, 512);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReplyLines, 1);
        Internal.ClientText.ThrowIfUnsafe(EffectiveClientName, nameof(ClientName), mailbox: true);
        if (EffectiveClientName.Contains(' ', StringComparison.Ordinal) || EffectiveClientName.Length == 0)
        {
            throw new ArgumentException("The client name must be one domain or address literal.", nameof(ClientName));
        }

        if (AuthMechanism is not null)
        {
            Internal.ClientText.ThrowIfUnsafe(AuthMechanism, nameof(AuthMechanism), mailbox: true);
        }
    }
}
