namespace Smtp.Core.Protocol;

/// <summary>The SMTP, ESMTP and LMTP commands the parser recognises.</summary>
public enum SmtpVerb
{
    /// <summary>No command (the default value; never returned by a successful parse).</summary>
    None = 0,

    /// <summary>HELO (RFC 5321 §4.1.1.1).</summary>
    Helo,

    /// <summary>EHLO (RFC 5321 §4.1.1.1).</summary>
    Ehlo,

    /// <summary>LHLO (RFC 2033 §4.1).</summary>
    Lhlo,

    /// <summary>MAIL FROM (RFC 5321 §4.1.1.2).</summary>
    Mail,

    /// <summary>RCPT TO (RFC 5321 §4.1.1.3).</summary>
    Rcpt,

    /// <summary>DATA (RFC 5321 §4.1.1.4).</summary>
    Data,

    /// <summary>BDAT (RFC 3030 §2).</summary>
    Bdat,

    /// <summary>RSET (RFC 5321 §4.1.1.5).</summary>
    Rset,

    /// <summary>NOOP (RFC 5321 §4.1.1.9).</summary>
    Noop,

    /// <summary>QUIT (RFC 5321 §4.1.1.10).</summary>
    Quit,

    /// <summary>VRFY (RFC 5321 §4.1.1.6).</summary>
    Vrfy,

    /// <summary>EXPN (RFC 5321 §4.1.1.7).</summary>
    Expn,

    /// <summary>HELP (RFC 5321 §4.1.1.8).</summary>
    Help,

    /// <summary>STARTTLS (RFC 3207 §4).</summary>
    StartTls,

    /// <summary>AUTH (RFC 4954 §4).</summary>
    Auth,
}
