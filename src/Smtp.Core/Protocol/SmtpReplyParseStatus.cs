namespace Smtp.Core.Protocol;

/// <summary>The outcome of <see cref="SmtpReplyParser.TryParse(in System.Buffers.ReadOnlySequence{byte}, out SmtpReplyView, out System.SequencePosition)"/>.</summary>
/// <remarks>Every status other than <see cref="Success"/> and <see cref="NeedMoreData"/> means the peer broke the
/// protocol: nothing was consumed and the connection should be closed (RFC 5321 §4.2 gives no way to resync).</remarks>
public enum SmtpReplyParseStatus
{
    /// <summary>One complete reply was parsed and consumed.</summary>
    Success = 0,

    /// <summary>The buffer holds only part of a reply; nothing was consumed.</summary>
    NeedMoreData,

    /// <summary>A line is not <c>NNN-text</c>, <c>NNN text</c> or <c>NNN</c>, does not end in CRLF, holds a bare CR
    /// or NUL, or its code differs from the first line's.</summary>
    Malformed,

    /// <summary>A line, CRLF included, is longer than the configured limit (RFC 5321 §4.5.3.1.5: 512).</summary>
    LineTooLong,

    /// <summary>The reply has more lines than the configured limit.</summary>
    TooManyLines,

    /// <summary>The reply is larger in total than the configured limit.</summary>
    TooLarge,
}
