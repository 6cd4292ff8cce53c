namespace Smtp.Core.Server;

/// <summary>Whether the server asks TLS clients for a certificate.</summary>
public enum SmtpClientCertificateMode
{
    /// <summary>No certificate is requested.</summary>
    None = 0,

    /// <summary>A certificate is requested; a client without one is still accepted.</summary>
    Request = 1,

    /// <summary>A certificate is required; the handshake fails without one, or with one that does not validate.</summary>
    Require = 2,
}
