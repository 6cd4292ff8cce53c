using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Smtp.Core.Server;

/// <summary>What the TLS handshake of a session negotiated (see <see cref="ISmtpSessionContext.Tls"/>).</summary>
public sealed class SmtpTlsInfo
{
    internal SmtpTlsInfo(SslProtocols protocol, TlsCipherSuite cipherSuite, string? serverName, X509Certificate2? clientCertificate, bool isImplicit)
    {
        Protocol = protocol;
        CipherSuite = cipherSuite;
        ServerName = serverName;
        ClientCertificate = clientCertificate;
        IsImplicit = isImplicit;
    }

    /// <summary>The protocol version, <see cref="SslProtocols.Tls12"/> or <see cref="SslProtocols.Tls13"/>.</summary>
    public SslProtocols Protocol { get; }

    /// <summary>The negotiated cipher suite.</summary>
    public TlsCipherSuite CipherSuite { get; }

    /// <summary>The host name the client asked for with SNI (RFC 6066 §3), or <see langword="null"/> when it sent none.</summary>
    public string? ServerName { get; }

    /// <summary>
    /// The certificate the client presented (when <see cref="SmtpTlsOptions.ClientCertificateMode"/> asked for one
    /// and it passed validation), or <see langword="null"/>.
    /// </summary>
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>Whether TLS started with the connection (RFC 8314 implicit TLS) rather than with STARTTLS (RFC 3207).</summary>
    public bool IsImplicit { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Protocol} {CipherSuite}" + (ServerName is null ? string.Empty : " sni=" + ServerName);
}
