using System.Buffers;
using System.Text;

namespace Smtp.Core.Protocol;

/// <summary>
/// One parsed reply, viewed in place over the input buffer: its code, enhanced code and text lines, all
/// available without allocating. <see cref="ToReply"/> makes an <see cref="SmtpReply"/> with strings for host code.
/// </summary>
/// <remarks>The view refers to the parser's input memory and is valid only until that memory is released
/// (for a pipe, until <c>AdvanceTo</c>); copy what must outlive it with <see cref="ToReply"/>.</remarks>
public readonly struct SmtpReplyView
{
    internal SmtpReplyView(ReadOnlySequence<byte> raw, int code, int lineCount)
    {
        Raw = raw;
        Code = code;
        LineCount = lineCount;
        EnhancedCode = ReadEnhancedCode(FirstLineText(raw), code / 100, out _);
    }

    /// <summary>The three-digit reply code.</summary>
    public int Code { get; }

    /// <summary>The enhanced status code at the start of the first line's text (RFC 2034 §3), if there is one
    /// whose class matches the code's first digit.</summary>
    public SmtpEnhancedStatusCode? EnhancedCode { get; }

    /// <summary>The number of lines.</summary>
    public int LineCount { get; }

    /// <summary>The whole reply as received, every CRLF included.</summary>
    public ReadOnlySequence<byte> Raw { get; }

    /// <summary>Whether the code is 2xx.</summary>
    public bool IsPositiveCompletion => Code is >= 200 and < 300;

    /// <summary>Enumerates the text of each line: what follows <c>NNN-</c> or <c>NNN </c>, without CRLF and with any
    /// enhanced code still in place (empty for a bare <c>NNN</c>).</summary>
    /// <returns>An allocation-free enumerator.</returns>
    public LineEnumerator GetLines() => new(Raw);

    /// <summary>Enumerates the extension lines of an EHLO or LHLO reply: every line after the first
    /// (RFC 5321 §4.1.1.1), split into keyword and parameters.</summary>
    /// <returns>An allocation-free enumerator.</returns>
    public EhloKeywordEnumerator GetEhloKeywords() => new(Raw);

    /// <summary>Materialises the reply with strings: the enhanced code (when present) is taken off every line that
    /// starts with it and the lines are joined with <c>\n</c>. Text is decoded as UTF-8.</summary>
    /// <returns>A reply independent of the input buffer.</returns>
    public SmtpReply ToReply()
    {
        var text = new StringBuilder((int)Math.Min(Raw.Length, 4096));
        int replyClass = Code / 100;
        bool first = true;
        foreach (ReadOnlySequence<byte> line in GetLines())
        {
            if (!first)
            {
                text.Append('\n');
            }

            first = false;
            ReadOnlySequence<byte> body = line;
            if (EnhancedCode is not null && ReadEnhancedCode(line, replyClass, out long length) == EnhancedCode)
            {
                body = line.Slice(length);
                if (!body.IsEmpty && body.FirstSpan[0] == (byte)' ')
                {
                    body = body.Slice(1);
                }
            }

            text.Append(Encoding.UTF8.GetString(body));
        }

        return new SmtpReply(Code, EnhancedCode?.ToString(), text.ToString());
    }

    /// <inheritdoc />
    public override string ToString() => ToReply().ToString();

    private static ReadOnlySequence<byte> FirstLineText(in ReadOnlySequence<byte> raw)
    {
        var e = new LineEnumerator(raw);
        return e.MoveNext() ? e.Current : default;
    }

    /// <summary>Reads <c>d.d{1,3}.d{1,3}</c> followed by SP or the end of the text (RFC 3463 §2).</summary>
    internal static SmtpEnhancedStatusCode? ReadEnhancedCode(in ReadOnlySequence<byte> text, int replyClass, out long length)
    {
        length = 0;
        Span<byte> head = stackalloc byte[10];
        int n = (int)Math.Min(head.Length, text.Length);
        text.Slice(0, n).CopyTo(head);
        head = head[..n];
        if (n < 5 || head[0] - '0' != replyClass || replyClass is not (2 or 4 or 5) || head[1] != (byte)'.')
        {
            return null;
        }

        int i = 2;
        if (!ReadNumber(head, ref i, out int subject) || i >= n || head[i] != (byte)'.')
        {
            return null;
        }

        i++;
        if (!ReadNumber(head, ref i, out int detail) || (i < n && head[i] != (byte)' '))
        {
            return null;
        }

        length = i;
        return new SmtpEnhancedStatusCode(replyClass, subject, detail);
    }

    private static bool ReadNumber(ReadOnlySpan<byte> s, ref int i, out int value)
    {
        value = 0;
        int begin = i;
        while (i < s.Length && i - begin < 3 && s[i] is >= (byte)'0' and <= (byte)'9')
        {
            value = (value * 10) + (s[i] - '0');
            i++;
        }

        return i > begin && (i >= s.Length || s[i] is < (byte)'0' or > (byte)'9');
    }

    /// <summary>Enumerates the text of the lines of a reply.</summary>
    public struct LineEnumerator
    {
        private ReadOnlySequence<byte> _rest;

        internal LineEnumerator(ReadOnlySequence<byte> raw)
        {
            _rest = raw;
            Current = default;
        }

        /// <summary>The current line's text.</summary>
        public ReadOnlySequence<byte> Current { get; private set; }

        /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
        /// <returns>This enumerator.</returns>
        public readonly LineEnumerator GetEnumerator() => this;

        /// <summary>Moves to the next line.</summary>
        /// <returns>Whether there was one.</returns>
        public bool MoveNext()
        {
            // The parser has validated every line as NNN[SP/-][text]CRLF.
            if (_rest.IsSingleSegment)
            {
                // Fast path: one span search and integer slices.
                int crlf = _rest.FirstSpan.IndexOf("\r\n"u8);
                if (crlf < 0)
                {
                    return false;
                }

                Current = crlf > 4 ? _rest.Slice(4, crlf - 4) : default;
                _rest = _rest.Slice(crlf + 2);
                return true;
            }

            var reader = new SequenceReader<byte>(_rest);
            if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
            {
                return false;
            }

            _rest = reader.UnreadSequence;

            Current = line.Length > 4 ? line.Slice(4) : default;
            return true;
        }
    }

    /// <summary>Enumerates the keyword lines of an EHLO reply.</summary>
    public struct EhloKeywordEnumerator
    {
        private LineEnumerator _lines;
        private bool _started;

        internal EhloKeywordEnumerator(ReadOnlySequence<byte> raw)
        {
            _lines = new LineEnumerator(raw);
            _started = false;
            Current = default;
        }

        /// <summary>The current keyword line.</summary>
        public SmtpEhloKeyword Current { get; private set; }

        /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
        /// <returns>This enumerator.</returns>
        public readonly EhloKeywordEnumerator GetEnumerator() => this;

        /// <summary>Moves to the next keyword line.</summary>
        /// <returns>Whether there was one.</returns>
        public bool MoveNext()
        {
            if (!_started)
            {
                // The first line is "domain [greeting]", not an extension.
                _started = true;
                if (!_lines.MoveNext())
                {
                    return false;
                }
            }

            while (_lines.MoveNext())
            {
                ReadOnlySequence<byte> line = _lines.Current;
                if (line.IsSingleSegment)
                {
                    ReadOnlySpan<byte> span = line.FirstSpan;
                    int begin = span.IndexOfAnyExcept((byte)' ');
                    if (begin < 0)
                    {
                        continue;
                    }

                    int gap = span[begin..].IndexOf((byte)' ');
                    if (gap < 0)
                    {
                        Current = new SmtpEhloKeyword(line.Slice(begin), default);
                    }
                    else
                    {
                        int after = begin + gap;
                        int parameters = span[after..].IndexOfAnyExcept((byte)' ');
                        Current = new SmtpEhloKeyword(
                            line.Slice(begin, gap),
                            parameters < 0 ? default : line.Slice(after + parameters));
                    }

                    return true;
                }

                var reader = new SequenceReader<byte>(line);
                reader.AdvancePast((byte)' ');
                if (reader.End)
                {
                    continue;
                }

                ReadOnlySequence<byte> rest = reader.UnreadSequence;
                SequencePosition? space = rest.PositionOf((byte)' ');
                if (space is null)
                {
                    Current = new SmtpEhloKeyword(rest, default);
                }
                else
                {
                    var parameters = new SequenceReader<byte>(rest.Slice(space.Value));
                    parameters.AdvancePast((byte)' ');
                    Current = new SmtpEhloKeyword(rest.Slice(0, space.Value), parameters.UnreadSequence);
                }

                return true;
            }

            return false;
        }
    }
}
