namespace Smtp.Core.Client;

/// <summary>The body type the client declares with <c>MAIL FROM ... BODY=</c>.</summary>
public enum SmtpBodyType
{
    /// <summary>No BODY parameter: 7-bit ASCII text lines (RFC 5321).</summary>
    SevenBit = 0,

    /// <summary><c>BODY=8BITMIME</c> (RFC 6152); the server must advertise 8BITMIME.</summary>
    EightBitMime = 1,

    /// <summary>
    /// <c>BODY=BINARYMIME</c> (RFC 3030 §3); the server must advertise BINARYMIME and CHUNKING, and the message is
    /// sent with BDAT only.
    /// </summary>
    BinaryMime = 2,
}
