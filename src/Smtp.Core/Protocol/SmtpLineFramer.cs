using System.Buffers;

namespace Smtp.Core.Protocol;

/// <summary>
/// Finds CRLF-terminated command lines in received bytes, enforcing a length limit before scanning past it.
/// </summary>
/// <remarks>
/// <para>
/// Only CRLF ends a line (RFC 5321 §2.3.8). The framer never searches more than <see cref="MaxLineLength"/>
/// octets for a line end, so a peer that never sends one costs at most that much buffered memory. A line that
/// is too long, or (under <see cref="BareLineEndingPolicy.Reject"/>) contains a bare CR or LF, is reported once
/// and then consumed and discarded through its CRLF by this and later calls: the framer remembers that it is
/// skipping, so keep one instance per connection and pass it by reference.
/// </para>
/// <para>
/// After each call, advance the pipe with <c>consumed = reader.Position</c> and <c>examined = buffer.End</c>.
/// The returned line is a slice of the reader's sequence and is valid only until then.
/// </para>
/// </remarks>
public struct SmtpLineFramer
{
    /// <summary>The RFC 5321 §4.5.3.1.4 command line limit, 512 octets including CRLF.</summary>
    public const int DefaultMaxLineLength = 512;

    /// <summary>The RFC 4954 §4 limit for AUTH exchange lines, 12,288 octets including CRLF.</summary>
    public const int AuthMaxLineLength = 12288;

    private const byte CR = (byte)'\r';
    private const byte LF = (byte)'\n';

    private int _maxLineLength;
    private bool _skipping;
    private bool _skipAfterCr;

    /// <summary>Creates a framer.</summary>
    /// <param name="maxLineLength">The longest accepted line in octets, including CRLF; at least 2.</param>
    /// <param name="policy">Whether a bare CR or LF rejects the line or is ordinary content.</param>
    public SmtpLineFramer(int maxLineLength = DefaultMaxLineLength, BareLineEndingPolicy policy = BareLineEndingPolicy.Reject)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineLength, 2);
        _maxLineLength = maxLineLength;
        Policy = policy;
    }

    /// <summary>
    /// The longest accepted line in octets, including CRLF. The server may raise it while reading AUTH
    /// continuation lines (<see cref="AuthMaxLineLength"/>) and restore it afterwards.
    /// </summary>
    public int MaxLineLength
    {
        readonly get => _maxLineLength == 0 ? DefaultMaxLineLength : _maxLineLength;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 2);
            _maxLineLength = value;
        }
    }

    /// <summary>What a bare CR or LF means.</summary>
    public BareLineEndingPolicy Policy { get; }

    /// <summary>Whether the framer is discarding the rest of a rejected line.</summary>
    public readonly bool IsSkipping => _skipping;

    /// <summary>
    /// Forgets a line being discarded. Call after STARTTLS, together with checking that no plaintext bytes
    /// remain buffered (RFC 3207 §4.2: the server must discard knowledge obtained before the TLS handshake).
    /// </summary>
    public void Reset()
    {
        _skipping = false;
        _skipAfterCr = false;
    }

    /// <summary>Reads the next line, or reports why it cannot.</summary>
    /// <param name="reader">The received bytes; advanced past what was consumed.</param>
    /// <param name="line">On <see cref="SmtpLineStatus.Line"/>, the line without its CRLF.</param>
    /// <returns>What was found; see <see cref="SmtpLineStatus"/>.</returns>
    public SmtpLineStatus TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> line)
    {
        line = default;
        if (_skipping && !SkipRejectedLine(ref reader))
        {
            return SmtpLineStatus.NeedMoreData;
        }

        int max = MaxLineLength;

        // Fast path: the whole line, CRLF included, lies in the current span within the limit.
        ReadOnlySpan<byte> span = reader.UnreadSpan;
        int window = Math.Min(span.Length, max);
        int index = Policy == BareLineEndingPolicy.Reject
            ? span[..window].IndexOfAny(CR, LF)
            : span[..window].IndexOf("\r\n"u8);
        if (index >= 0 && span[index] == CR && index + 1 < window && span[index + 1] == LF)
        {
            line = reader.Sequence.Slice(reader.Position, index);
            reader.Advance(index + 2);
            return SmtpLineStatus.Line;
        }

        return Scan(ref reader, max, out line);
    }

    private SmtpLineStatus Scan(ref SequenceReader<byte> reader, int max, out ReadOnlySequence<byte> line)
    {
        line = default;
        bool reject = Policy == BareLineEndingPolicy.Reject;
        var scan = reader;
        long scanned = 0;
        bool previousCr = false;

        // The budget is the limit: a line whose LF would lie beyond octet `max` is too long, so nothing past
        // it is ever examined (RFC 5321 §4.5.3.1.4 and the unbounded-buffer attack it prevents).
        while (scanned < max)
        {
            ReadOnlySpan<byte> span = scan.UnreadSpan;
            if (span.IsEmpty)
            {
                // SequenceReader skips empty segments, so an empty span is the end of the data. A trailing CR is
                // not yet bare: its LF may be in the next read.
                return SmtpLineStatus.NeedMoreData;
            }

            int window = (int)Math.Min(span.Length, max - scanned);
            span = span[..window];
            if (previousCr)
            {
                if (span[0] == LF)
                {
                    return Complete(ref reader, scanned - 1, out line);
                }

                if (reject)
                {
                    return Reject(ref reader, scanned, SmtpLineStatus.BareCarriageReturn);
                }
            }

            if (reject)
            {
                int i = span.IndexOfAny(CR, LF);
                if (i >= 0)
                {
                    if (span[i] == LF)
                    {
                        return Reject(ref reader, scanned + i + 1, SmtpLineStatus.BareLineFeed);
                    }

                    if (i + 1 < window)
                    {
                        return span[i + 1] == LF
                            ? Complete(ref reader, scanned + i, out line)
                            : Reject(ref reader, scanned + i + 1, SmtpLineStatus.BareCarriageReturn);
                    }
                }
            }
            else
            {
                int i = span.IndexOf("\r\n"u8);
                if (i >= 0)
                {
                    return Complete(ref reader, scanned + i, out line);
                }
            }

            previousCr = span[^1] == CR;
            scanned += window;
            scan.Advance(window);
        }

        // Too long: consume what was examined and discard the rest of the line in later calls.
        reader.Advance(scanned);
        _skipping = true;
        _skipAfterCr = previousCr;
        return SmtpLineStatus.LineTooLong;
    }

    private static SmtpLineStatus Complete(ref SequenceReader<byte> reader, long length, out ReadOnlySequence<byte> line)
    {
        line = reader.Sequence.Slice(reader.Position, length);
        reader.Advance(length + 2);
        return SmtpLineStatus.Line;
    }

    private SmtpLineStatus Reject(ref SequenceReader<byte> reader, long consume, SmtpLineStatus status)
    {
        // Consume through the offending octet; the line's remainder is discarded through its CRLF, so that a
        // smuggled "command" after a bare LF is never executed (RFC 5321 §4.1.1.4).
        reader.Advance(consume);
        _skipping = true;
        _skipAfterCr = false;
        return status;
    }

    private bool SkipRejectedLine(ref SequenceReader<byte> reader)
    {
        while (true)
        {
            ReadOnlySpan<byte> span = reader.UnreadSpan;
            if (span.IsEmpty)
            {
                return false;
            }

            if (_skipAfterCr && span[0] == LF)
            {
                reader.Advance(1);
                _skipping = false;
                _skipAfterCr = false;
                return true;
            }

            int i = span.IndexOf("\r\n"u8);
            if (i >= 0)
            {
                reader.Advance(i + 2);
                _skipping = false;
                _skipAfterCr = false;
                return true;
            }

            // Discard without buffering; remember a trailing CR whose LF may arrive next.
            _skipAfterCr = span[^1] == CR;
            reader.Advance(span.Length);
        }
    }
}
