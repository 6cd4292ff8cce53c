using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;

namespace Smtp.Core.Server;

/// <summary>
/// The session's transport once TLS is up: two small pipes between the session and the <see cref="SslStream"/>, with
/// a pump task in each direction.
/// </summary>
/// <remarks>
/// The pumps keep interrupts away from the TLS layer. Timeouts and shutdown wake the session with
/// <see cref="PipeReader.CancelPendingRead"/> and <see cref="PipeWriter.CancelPendingFlush"/>; passed down to the
/// <see cref="SslStream"/> (as a stream-backed pipe would), those cancellations abort its read or write, after which
/// the stream is unusable and the 421 that should follow is lost. Here they only wake the session; the pumps run
/// until the connection or the session ends.
/// </remarks>
internal sealed class TlsTransport : IDuplexPipe
{
    private readonly Pipe _inbound;
    private readonly Pipe _outbound;
    private readonly Task _readPump;
    private readonly Task _writePump;

    public TlsTransport(SslStream stream)
    {
        Stream = stream;

        // Bounded like the plain transport: the pumps stop when 16 KiB (in) or 64 KiB (out) wait.
        _inbound = new Pipe(new PipeOptions(pauseWriterThreshold: 16 * 1024, resumeWriterThreshold: 8 * 1024, minimumSegmentSize: 4096, useSynchronizationContext: false));
        _outbound = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, minimumSegmentSize: 4096, useSynchronizationContext: false));
        _readPump = Task.Run(ReadPumpAsync);
        _writePump = Task.Run(WritePumpAsync);
    }

    public SslStream Stream { get; }

    public PipeReader Input => _inbound.Reader;

    public PipeWriter Output => _outbound.Writer;

    /// <summary>
    /// After the session completed both pipes: sends what is left (the last reply) within <paramref name="drainTimeout"/>,
    /// then close_notify, closes the stream (and the one under it, which ends a read the pump has pending) and waits
    /// for the pumps. Never throws.
    /// </summary>
    public async ValueTask CloseAsync(TimeSpan drainTimeout, TimeProvider timeProvider)
    {
        bool drained;
        try
        {
            await _writePump.WaitAsync(drainTimeout, timeProvider).ConfigureAwait(false);
            drained = true;
        }
        catch (TimeoutException)
        {
            // The client does not read: close without waiting any longer.
            drained = false;
        }

        if (drained)
        {
            try
            {
                // RFC 8446 §6.1: close_notify before closing; OpenSSL 3 reports an EOF without it as an error.
                await Stream.ShutdownAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
            {
                // The peer is gone or the stream already failed.
            }
        }

        await Stream.DisposeAsync().ConfigureAwait(false);
        await _writePump.ConfigureAwait(false);
        await _readPump.ConfigureAwait(false);
    }

    private async Task ReadPumpAsync()
    {
        PipeWriter target = _inbound.Writer;
        try
        {
            while (true)
            {
                int read = await Stream.ReadAsync(target.GetMemory(4096)).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                target.Advance(read);
                FlushResult result = await target.FlushAsync().ConfigureAwait(false);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception)
        {
            // A broken, closed or disposed connection (whatever SslStream makes of it) reads as the end of input:
            // the session closes. The pump itself must never fault.
        }

        await target.CompleteAsync().ConfigureAwait(false);
    }

    private async Task WritePumpAsync()
    {
        PipeReader source = _outbound.Reader;
        try
        {
            while (true)
            {
                ReadResult result = await source.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    await Stream.WriteAsync(segment).ConfigureAwait(false);
                }

                if (!buffer.IsEmpty)
                {
                    await Stream.FlushAsync().ConfigureAwait(false);
                }

                source.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception)
        {
            // The peer is gone: the session sees its writes completed and ends.
        }

        await source.CompleteAsync().ConfigureAwait(false);
    }
}
