namespace Smtp.Core.Client;

/// <summary>How the client secures its connection. No mode ever falls back silently to a weaker one.</summary>
public enum SmtpTlsMode
{
    /// <summary>Plain text throughout; STARTTLS is never attempted, even when offered.</summary>
    None = 0,

    /// <summary>
    /// RFC 3207: the server must offer STARTTLS and the handshake must succeed, otherwise the client fails with
    /// <see cref="SmtpSecurityException"/> before any credentials or envelope are sent. The default.
    /// </summary>
    StartTlsRequired = 1,

    /// <summary>
    /// STARTTLS is used when the server offers it; a server that does not offer it is used in plain text. Once
    /// attempted, a refused or failed STARTTLS is an error, never a fallback to plain text.
    /// </summary>
    StartTlsWhenOffered = 2,

    /// <summary>RFC 8314: TLS from the first byte (usually port 465), before the server's greeting.</summary>
    ImplicitTls = 3,
}
