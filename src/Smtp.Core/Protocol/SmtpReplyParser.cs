using System.Buffers;

namespace Smtp.Core.Protocol;

/// <summary>
/// Parses one complete SMTP reply (RFC 5321 §4.2), single- or multi-line, from buffered input (client side),
/// without allocating.
/// </summary>
/// <remarks>
/// <para>
/// A reply is one or more lines <c>NNN-text</c> ending with one line <c>NNN text</c> or <c>NNN</c>, each ending
/// in CRLF, all with the same code. Partial input is never consumed. Limits on line length, line count and total
/// size are applied while scanning, so a hostile server cannot make the client buffer without bound; a violation
/// is reported as a <see cref="SmtpReplyParseStatus"/>, never an exception.
/// </para>
/// <para>An instance holds only its limits and may be shared between threads.</para>
/// </remarks>
public sealed class SmtpReplyParser
{
    /// <summary>Creates a parser with the given limits.</summary>
    /// <param name="maxLineLength">The longest line, CRLF included (RFC 5321 §4.5.3.1.5: 512).</param>
    /// <param name="maxLines">The most lines in one reply.</param>
    /// <param name="maxReplySize">The most octets in one reply.</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit is too small to hold a reply line.</exception>
    public SmtpReplyParser(int maxLineLength = 512, int maxLines = 100, int maxReplySize = 64 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineLength, 5);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLines, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxReplySize, 5);
        MaxLineLength = maxLineLength;
        MaxLines = maxLines;
        MaxReplySize = maxReplySize;
    }

    /// <summary>A parser with the default limits: 512-octet lines, 100 lines, 64 KiB.</summary>
    public static SmtpReplyParser Default { get; } = new();

    /// <summary>The longest line accepted, CRLF included.</summary>
    public int MaxLineLength { get; }

    /// <summary>The most lines accepted in one reply.</summary>
    public int MaxLines { get; }

    /// <summary>The most octets accepted in one reply.</summary>
    public int MaxReplySize { get; }

    /// <summary>Parses one reply from the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">Buffered input.</param>
    /// <param name="reply">The parsed reply on <see cref="SmtpReplyParseStatus.Success"/>; it refers to
    /// <paramref name="buffer"/>'s memory and is valid only until that is released.</param>
    /// <param name="consumed">After the reply on success; otherwise the start of <paramref name="buffer"/>.</param>
    /// <returns>The outcome.</returns>
    public SmtpReplyParseStatus TryParse(in ReadOnlySequence<byte> buffer, out SmtpReplyView reply, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        SmtpReplyParseStatus status = TryParse(ref reader, out reply);
        consumed = status == SmtpReplyParseStatus.Success ? reader.Position : buffer.Start;
        return status;
    }

    /// <summary>Parses one reply at the reader's position, advancing the reader past it only on success.</summary>
    /// <param name="reader">The input.</param>
    /// <param name="reply">The parsed reply on success (valid while the underlying memory is).</param>
    /// <returns>The outcome.</returns>
    public SmtpReplyParseStatus TryParse(ref SequenceReader<byte> reader, out SmtpReplyView reply)
    {
        reply = default;
        if (reader.UnreadSpan.Length == reader.Remaining)
        {
            return TryParseSpan(ref reader, out reply);
        }

        SequenceReader<byte> r = reader;
        SequencePosition start = r.Position;
        long startConsumed = r.Consumed;
        int code = 0;
        int lines = 0;
        while (true)
        {
            SmtpReplyParseStatus lineStatus = ReadLine(ref r, out ReadOnlySequence<byte> line);
            if (lineStatus != SmtpReplyParseStatus.Success)
            {
                return lineStatus;
            }

            if (++lines > MaxLines)
            {
                return SmtpReplyParseStatus.TooManyLines;
            }

            if (r.Consumed - startConsumed > MaxReplySize)
            {
                return SmtpReplyParseStatus.TooLarge;
            }

            // line is "NNN", "NNN " text or "NNN-" text, CRLF removed.
            if (!TryReadHeader(line, out int lineCode, out byte separator))
            {
                return SmtpReplyParseStatus.Malformed;
            }

            if (lines == 1)
            {
                code = lineCode;
            }
            else if (lineCode != code)
            {
                // RFC 5321 §4.2.1: every line of a multi-line reply carries the same code.
                return SmtpReplyParseStatus.Malformed;
            }

            if (separator != (byte)'-')
            {
                break;
            }
        }

        ReadOnlySequence<byte> raw = r.Sequence.Slice(start, r.Position);
        reply = new SmtpReplyView(raw, code, lines);
        reader = r;
        return SmtpReplyParseStatus.Success;
    }

    /// <summary>The same as the sequence path, on one span: the usual case of a reply read in one segment.</summary>
    private SmtpReplyParseStatus TryParseSpan(ref SequenceReader<byte> reader, out SmtpReplyView reply)
    {
        reply = default;
        ReadOnlySpan<byte> span = reader.UnreadSpan;
        int pos = 0;
        int code = 0;
        int lines = 0;
        while (true)
        {
            int window = Math.Min(span.Length - pos, MaxLineLength);
            int lf = span.Slice(pos, window).IndexOf((byte)'\n');
            if (lf < 0)
            {
                return window == MaxLineLength ? SmtpReplyParseStatus.LineTooLong : SmtpReplyParseStatus.NeedMoreData;
            }

            if (lf == 0 || span[pos + lf - 1] != (byte)'\r')
            {
                return SmtpReplyParseStatus.Malformed;
            }

            ReadOnlySpan<byte> line = span.Slice(pos, lf - 1);
            pos += lf + 1;
            if (line.IndexOfAny((byte)'\r', (byte)'\0') >= 0)
            {
                return SmtpReplyParseStatus.Malformed;
            }

            if (++lines > MaxLines)
            {
                return SmtpReplyParseStatus.TooManyLines;
            }

            if (pos > MaxReplySize)
            {
                return SmtpReplyParseStatus.TooLarge;
            }

            if (!TryReadHeader(line, out int lineCode, out byte separator))
            {
                return SmtpReplyParseStatus.Malformed;
            }

            if (lines == 1)
            {
                code = lineCode;
            }
            else if (lineCode != code)
            {
                return SmtpReplyParseStatus.Malformed;
            }

            if (separator != (byte)'-')
            {
                break;
            }
        }

        reply = new SmtpReplyView(reader.UnreadSequence.Slice(0, pos), code, lines);
        reader.Advance(pos);
        return SmtpReplyParseStatus.Success;
    }

    /// <summary>Reads one CRLF-terminated line, looking no further than the line limit allows.</summary>
    private SmtpReplyParseStatus ReadLine(ref SequenceReader<byte> r, out ReadOnlySequence<byte> line)
    {
        line = default;
        ReadOnlySpan<byte> span = r.UnreadSpan;
        int window = (int)Math.Min(r.Remaining, MaxLineLength);
        int lf;
        if (span.Length >= window)
        {
            // Fast path: the whole window is in the current segment.
            lf = span[..window].IndexOf((byte)'\n');
            if (lf < 0)
            {
                return window == MaxLineLength ? SmtpReplyParseStatus.LineTooLong : SmtpReplyParseStatus.NeedMoreData;
            }
        }
        else
        {
            ReadOnlySequence<byte> limited = r.UnreadSequence.Slice(0, window);
            SequencePosition? found = limited.PositionOf((byte)'\n');
            if (found is null)
            {
                return window == MaxLineLength ? SmtpReplyParseStatus.LineTooLong : SmtpReplyParseStatus.NeedMoreData;
            }

            lf = (int)limited.Slice(0, found.Value).Length;
        }

        ReadOnlySequence<byte> withCr = r.UnreadSequence.Slice(0, lf);
        r.Advance(lf + 1);

        // RFC 5321 §2.3.8: lines end in CRLF; a bare LF, bare CR or NUL inside is a broken reply.
        if (lf == 0 || !EndsWithCr(withCr))
        {
            return SmtpReplyParseStatus.Malformed;
        }

        line = withCr.Slice(0, lf - 1);
        if (ContainsCrOrNul(line))
        {
            return SmtpReplyParseStatus.Malformed;
        }

        return SmtpReplyParseStatus.Success;
    }

    private static bool EndsWithCr(in ReadOnlySequence<byte> s)
    {
        if (s.IsSingleSegment)
        {
            return s.FirstSpan[^1] == (byte)'\r';
        }

        ReadOnlySequence<byte> last = s.Slice(s.Length - 1);
        return last.FirstSpan[0] == (byte)'\r';
    }

    private static bool ContainsCrOrNul(in ReadOnlySequence<byte> s)
    {
        foreach (ReadOnlyMemory<byte> m in s)
        {
            if (m.Span.IndexOfAny((byte)'\r', (byte)'\0') >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>RFC 5321 §4.2: Reply-code = %x32-35 %x30-35 %x30-39, then "-", SP or the end of the line. The second
    /// digit is accepted as any digit, as the writer (and real servers) may use one above 5.</summary>
    internal static bool TryReadHeader(in ReadOnlySequence<byte> line, out int code, out byte separator)
    {
        code = 0;
        separator = 0;
        if (line.Length < 3)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[4];
        int n = (int)Math.Min(4, line.Length);
        line.Slice(0, n).CopyTo(head);
        return TryReadHeader(head[..n], out code, out separator);
    }

    internal static bool TryReadHeader(ReadOnlySpan<byte> head, out int code, out byte separator)
    {
        code = 0;
        separator = 0;
        int n = Math.Min(4, head.Length);
        if (n < 3 || head[0] is < (byte)'2' or > (byte)'5' || head[1] is < (byte)'0' or > (byte)'9' || head[2] is < (byte)'0' or > (byte)'9')
        {
            return false;
        }

        code = ((head[0] - '0') * 100) + ((head[1] - '0') * 10) + (head[2] - '0');
        if (n == 3)
        {
            separator = (byte)' ';
            return true;
        }

        separator = head[3];
        return separator is (byte)' ' or (byte)'-';
    }
}
