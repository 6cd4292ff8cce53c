namespace Smtp.Core.Protocol;

/// <summary>The MAIL <c>BODY=</c> parameter (RFC 6152 §2, RFC 3030 §3).</summary>
public enum SmtpBodyType
{
    /// <summary>No BODY parameter was given.</summary>
    None = 0,

    /// <summary><c>BODY=7BIT</c>.</summary>
    SevenBit,

    /// <summary><c>BODY=8BITMIME</c> (RFC 6152).</summary>
    EightBitMime,

    /// <summary><c>BODY=BINARYMIME</c> (RFC 3030 §3; requires BDAT).</summary>
    BinaryMime,
}
