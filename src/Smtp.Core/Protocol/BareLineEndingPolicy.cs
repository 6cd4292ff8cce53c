namespace Smtp.Core.Protocol;

/// <summary>
/// What to do with a bare LF or a bare CR, that is one not part of a CRLF pair, in a command line or in
/// message data.
/// </summary>
/// <remarks>
/// RFC 5321 §2.3.8 and §4.1.1.4: only CRLF ends a line, and a receiver must not treat a bare LF or CR as
/// one. Servers that did so enabled the 2023 "SMTP smuggling" attacks, in which <c>&lt;LF&gt;.&lt;LF&gt;</c>
/// or a similar variant ended a message early at one hop but not at the next. Under no policy is a bare
/// character ever taken as a line end.
/// </remarks>
public enum BareLineEndingPolicy
{
    /// <summary>
    /// The default: a command line containing one is rejected with a reply; message data containing one is
    /// read to its real end (<c>&lt;CRLF&gt;.&lt;CRLF&gt;</c>) and then rejected.
    /// </summary>
    Reject = 0,

    /// <summary>The character is kept as ordinary content (it never ends a line).</summary>
    Allow = 1,
}
