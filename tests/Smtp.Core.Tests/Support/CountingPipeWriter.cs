using System.IO.Pipelines;

namespace Smtp.Core.Tests.Support;

/// <summary>A <see cref="PipeWriter"/> wrapper that counts the flushes that carried data (to assert one flush per pipelined batch).</summary>
public sealed class CountingPipeWriter(PipeWriter inner) : PipeWriter
{
    private int _flushes;

    /// <summary>Flushes that carried at least one byte.</summary>
    public int Flushes => Volatile.Read(ref _flushes);

    /// <inheritdoc />
    public override bool CanGetUnflushedBytes => true;

    /// <inheritdoc />
    public override long UnflushedBytes => inner.UnflushedBytes;

    /// <inheritdoc />
    public override void Advance(int bytes)
    {
        inner.Advance(bytes);
    }

    /// <inheritdoc />
    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    /// <inheritdoc />
    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    /// <inheritdoc />
    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    /// <inheritdoc />
    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (inner.UnflushedBytes > 0)
        {
            Interlocked.Increment(ref _flushes);
        }

        return await inner.FlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

    /// <inheritdoc />
    public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
}
