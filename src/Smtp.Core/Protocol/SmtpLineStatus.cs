namespace Smtp.Core.Protocol;

/// <summary>The outcome of one <see cref="SmtpLineFramer.TryReadLine"/> call.</summary>
public enum SmtpLineStatus
{
    /// <summary>A complete line was read; the reader is positioned after its CRLF.</summary>
    Line = 0,

    /// <summary>
    /// No complete line yet. Nothing of a partial line was consumed (unless the framer is skipping a rejected
    /// line, whose bytes it consumes): advance the pipe to the reader position and examine everything.
    /// </summary>
    NeedMoreData = 1,

    /// <summary>
    /// The line exceeds the limit (RFC 5321 §4.5.3.1.4). Reported once; the rest of the line is then consumed
    /// and discarded up to its CRLF by later calls, without being buffered.
    /// </summary>
    LineTooLong = 2,

    /// <summary>A LF not preceded by CR was found (policy Reject); the line is discarded through its CRLF.</summary>
    BareLineFeed = 3,

    /// <summary>A CR not followed by LF was found (policy Reject); the line is discarded through its CRLF.</summary>
    BareCarriageReturn = 4,
}
