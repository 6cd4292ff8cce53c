using System.Buffers;
using System.IO.Pipelines;

namespace Smtp.Core.Protocol;

/// <summary>
/// Writes a message body for the DATA command (client side): doubles a leading dot on every line
/// (RFC 5321 §4.5.2), turns every bare CR and bare LF into CRLF, and ends with <c>&lt;CRLF&gt;.&lt;CRLF&gt;</c>.
/// </summary>
/// <remarks>
/// Bare CR and LF are converted rather than passed on so this client never emits data that one hop could read
/// as a line end and the next not (RFC 5321 §4.1.1.4; the 2023 "SMTP smuggling" attacks); nothing else is
/// changed. Feed the body in any pieces with <see cref="Encode"/>, then call <see cref="Complete"/> once.
/// An instance is not thread-safe; <see cref="Complete"/> leaves it ready for the next message.
/// </remarks>
public sealed class SmtpDataEncoder
{
    private const byte CR = (byte)'\r';
    private const byte LF = (byte)'\n';
    private const int FlushThreshold = 64 * 1024;

    // The first line starts at the beginning of the data (RFC 5321 §4.5.2 applies to it as well).
    private bool _atLineStart = true;

    // The previous piece ended with a CR that has been written: an LF opening the next piece completes it,
    // anything else means the CR was bare and an LF must be added.
    private bool _afterCr;

    /// <summary>Octets written to outputs since the last <see cref="Complete"/>, including stuffing and terminator.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Encodes one piece of the body.</summary>
    /// <param name="input">Body octets.</param>
    /// <param name="output">Receives the stuffed octets.</param>
    public void Encode(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int i = 0;
        int runStart = 0;
        if (_afterCr && !input.IsEmpty)
        {
            _afterCr = false;
            if (input[0] == LF)
            {
                // The CR went out with the previous piece; this LF completes the pair.
                i = 1;
            }
            else
            {
                Write("\n"u8, output);
            }

            _atLineStart = true;
        }

        while (i < input.Length)
        {
            if (_atLineStart)
            {
                _atLineStart = false;
                if (input[i] == (byte)'.')
                {
                    // Write everything before the dot plus one extra dot; the original dot follows in the run.
                    Write(input[runStart..i], output);
                    Write("."u8, output);
                    runStart = i;
                }
            }

            int k = input[i..].IndexOfAny(CR, LF);
            if (k < 0)
            {
                i = input.Length;
                break;
            }

            i += k;
            if (input[i] == LF)
            {
                // Bare LF: add the CR in front of it.
                Write(input[runStart..i], output);
                Write("\r"u8, output);
                runStart = i;
                i++;
            }
            else if (i + 1 == input.Length)
            {
                i++;
                _afterCr = true;
                break;
            }
            else if (input[i + 1] == LF)
            {
                i += 2;
            }
            else
            {
                // Bare CR: add the LF after it.
                i++;
                Write(input[runStart..i], output);
                Write("\n"u8, output);
                runStart = i;
            }

            _atLineStart = true;
        }

        Write(input[runStart..i], output);
    }

    /// <summary>Ends the body: a CRLF if the content did not end with one, then <c>.CRLF</c>.</summary>
    /// <param name="output">Receives the final octets.</param>
    public void Complete(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_afterCr)
        {
            Write("\n.\r\n"u8, output);
        }
        else if (_atLineStart)
        {
            Write(".\r\n"u8, output);
        }
        else
        {
            Write("\r\n.\r\n"u8, output);
        }

        _atLineStart = true;
        _afterCr = false;
        BytesWritten = 0;
    }

    /// <summary>
    /// Streams a whole message body from <paramref name="source"/> to <paramref name="destination"/>, stuffed and
    /// terminated, flushing about every 64 KiB. The DATA command and its 354 reply are the caller's business.
    /// </summary>
    /// <param name="source">The body; read to its end, not disposed.</param>
    /// <param name="destination">The connection's writer.</param>
    /// <param name="cancellationToken">Cancels reading and flushing.</param>
    /// <exception cref="IOException">The reader of <paramref name="destination"/> has completed.</exception>
    public static async ValueTask WriteDataAsync(Stream source, PipeWriter destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var encoder = new SmtpDataEncoder();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(FlushThreshold);
        try
        {
            while (true)
            {
                int read = await source.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                encoder.Encode(buffer.AsSpan(0, read), destination);
                await FlushAsync(destination, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        encoder.Complete(destination);
        await FlushAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams a whole message body from <paramref name="source"/> (read to completion) to
    /// <paramref name="destination"/>, stuffed and terminated, flushing about every 64 KiB.
    /// </summary>
    /// <param name="source">The body; read until it reports completion, not completed by this method.</param>
    /// <param name="destination">The connection's writer.</param>
    /// <param name="cancellationToken">Cancels reading and flushing.</param>
    /// <exception cref="IOException">The reader of <paramref name="destination"/> has completed.</exception>
    /// <exception cref="OperationCanceledException">A read or flush was cancelled.</exception>
    public static async ValueTask WriteDataAsync(PipeReader source, PipeWriter destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var encoder = new SmtpDataEncoder();
        long unflushed = 0;
        while (true)
        {
            ReadResult result = await source.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException("Reading the message body was cancelled.");
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            foreach (ReadOnlyMemory<byte> segment in buffer)
            {
                encoder.Encode(segment.Span, destination);
            }

            unflushed += buffer.Length;
            source.AdvanceTo(buffer.End);
            if (result.IsCompleted)
            {
                break;
            }

            if (unflushed >= FlushThreshold)
            {
                unflushed = 0;
                await FlushAsync(destination, cancellationToken).ConfigureAwait(false);
            }
        }

        encoder.Complete(destination);
        await FlushAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask FlushAsync(PipeWriter destination, CancellationToken cancellationToken)
    {
        FlushResult flush = await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (flush.IsCanceled)
        {
            throw new OperationCanceledException("Writing the message body was cancelled.");
        }

        if (flush.IsCompleted)
        {
            throw new IOException("The connection stopped reading while the message body was being written.");
        }
    }

    private void Write(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        if (!bytes.IsEmpty)
        {
            SmtpDataDecoder.CopyTo(bytes, output);
            BytesWritten += bytes.Length;
        }
    }
}
