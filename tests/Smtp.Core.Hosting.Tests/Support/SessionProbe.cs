namespace Smtp.Core.Hosting.Tests.Support;

/// <summary>A scoped service standing in for a DbContext: one per session scope, disposed with it.</summary>
internal sealed class SessionProbe : IAsyncDisposable
{
    private static int s_next;

    public SessionProbe(MessageSink sink)
    {
        sink.Probes.Enqueue(this);
    }

    public int Id { get; } = Interlocked.Increment(ref s_next);

    public bool IsDisposed { get; private set; }

    public ValueTask DisposeAsync()
    {
        IsDisposed = true;
        return ValueTask.CompletedTask;
    }
}
