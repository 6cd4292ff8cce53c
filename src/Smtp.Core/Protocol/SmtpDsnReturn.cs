namespace Smtp.Core.Protocol;

/// <summary>The MAIL <c>RET=</c> parameter (RFC 3461 §4.3).</summary>
public enum SmtpDsnReturn
{
    /// <summary>No RET parameter was given.</summary>
    None = 0,

    /// <summary><c>RET=FULL</c>: return the full message in a failure DSN.</summary>
    Full,

    /// <summary><c>RET=HDRS</c>: return only the headers.</summary>
    Headers,
}
