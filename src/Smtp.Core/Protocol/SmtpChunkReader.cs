using System.Buffers;

namespace Smtp.Core.Protocol;

/// <summary>
/// Reads the octets of BDAT chunks (RFC 3030 §2): exactly the announced count, with no unstuffing and no
/// end-marker search, across as many calls as the data takes to arrive, with a size cap over the whole message.
/// </summary>
/// <remarks>
/// A message sent with BDAT is the concatenation of its chunks; <see cref="MessageSize"/> and the cap run over
/// all of them until <see cref="Reset"/>. Past the cap nothing more is written, but every announced octet is
/// still consumed so the session stays in step with the client (RFC 3030 §2: the server must read the whole
/// chunk even when it will reject it); the server then answers <c>552 5.3.4</c>.
/// </remarks>
public sealed class SmtpChunkReader
{
    /// <summary>Creates a chunk reader.</summary>
    /// <param name="maxMessageSize">The largest message, in octets, written to the output. Use
    /// <see cref="long.MaxValue"/> for no limit.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessageSize"/> is negative.</exception>
    public SmtpChunkReader(long maxMessageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxMessageSize);
        MaxMessageSize = maxMessageSize;
    }

    /// <summary>The cap given to the constructor.</summary>
    public long MaxMessageSize { get; }

    /// <summary>Octets of the current chunk still to be read.</summary>
    public long Remaining { get; private set; }

    /// <summary>Octets received so far over all chunks of the message, counted past the cap too.</summary>
    public long MessageSize { get; private set; }

    /// <summary>Octets written to the output (at most <see cref="MaxMessageSize"/>).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Whether the message grew past <see cref="MaxMessageSize"/>.</summary>
    public bool SizeExceeded => MessageSize > MaxMessageSize;

    /// <summary>Starts reading a chunk of <paramref name="size"/> octets (the argument of <c>BDAT</c>).</summary>
    /// <param name="size">The chunk size; zero is legal (typically <c>BDAT 0 LAST</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The previous chunk has not been read to its end.</exception>
    public void BeginChunk(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (Remaining != 0)
        {
            throw new InvalidOperationException("The previous BDAT chunk has not been read to its end.");
        }

        Remaining = size;
    }

    /// <summary>Forgets all state so the instance can read the next message.</summary>
    public void Reset()
    {
        Remaining = 0;
        MessageSize = 0;
        BytesWritten = 0;
    }

    /// <summary>Consumes up to <see cref="Remaining"/> octets from <paramref name="input"/>, writing them to
    /// <paramref name="output"/> while under the cap.</summary>
    /// <param name="input">The data; advanced past everything consumed.</param>
    /// <param name="output">Receives the chunk octets.</param>
    /// <returns><see cref="SmtpDataStatus.Completed"/> once the whole chunk has been consumed (at once for an empty
    /// chunk), else <see cref="SmtpDataStatus.NeedMoreData"/>.</returns>
    public SmtpDataStatus Read(ref SequenceReader<byte> input, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        while (Remaining > 0 && !input.End)
        {
            ReadOnlySpan<byte> span = input.UnreadSpan;
            if (span.Length > Remaining)
            {
                span = span[..(int)Remaining];
            }

            long allowed = MaxMessageSize - MessageSize;
            MessageSize += span.Length;
            if (allowed > 0)
            {
                ReadOnlySpan<byte> kept = span.Length > allowed ? span[..(int)allowed] : span;
                SmtpDataDecoder.CopyTo(kept, output);
                BytesWritten += kept.Length;
            }

            Remaining -= span.Length;
            input.Advance(span.Length);
        }

        return Remaining == 0 ? SmtpDataStatus.Completed : SmtpDataStatus.NeedMoreData;
    }

    /// <summary>The <c>PipeReader</c> form of <see cref="Read(ref SequenceReader{byte}, IBufferWriter{byte})"/>.</summary>
    /// <param name="input">The buffer read.</param>
    /// <param name="output">Receives the chunk octets.</param>
    /// <param name="consumed">The end of what was consumed: pass it to <c>AdvanceTo</c> as consumed and examined.</param>
    /// <returns>As the other overload.</returns>
    public SmtpDataStatus Read(in ReadOnlySequence<byte> input, IBufferWriter<byte> output, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(input);
        SmtpDataStatus status = Read(ref reader, output);
        consumed = reader.Position;
        return status;
    }
}
