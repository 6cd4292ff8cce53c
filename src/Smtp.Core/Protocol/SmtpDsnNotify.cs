namespace Smtp.Core.Protocol;

/// <summary>The RCPT <c>NOTIFY=</c> parameter (RFC 3461 §4.1).</summary>
[Flags]
public enum SmtpDsnNotify
{
    /// <summary>No NOTIFY parameter was given.</summary>
    None = 0,

    /// <summary><c>NEVER</c>; never combined with the other values.</summary>
    Never = 1,

    /// <summary><c>SUCCESS</c>.</summary>
    Success = 2,

    /// <summary><c>FAILURE</c>.</summary>
    Failure = 4,

    /// <summary><c>DELAY</c>.</summary>
    Delay = 8,
}
