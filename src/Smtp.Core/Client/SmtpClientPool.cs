using System.Collections.Concurrent;
using System.Diagnostics;

namespace Smtp.Core.Client;

/// <summary>
/// A bounded set of <see cref="SmtpClient"/> connections to one server shared by concurrent senders: each send takes
/// an idle connection (or opens one while fewer than <see cref="MaxConnections"/> exist), sends, and gives it back.
/// </summary>
/// <remarks>
/// A connection that sat idle for at least the health-check interval is checked with NOOP before reuse: it must
/// answer exactly 250, and 421, 221, a timeout or a broken conversation retire it for a fresh one. A connection
/// broken by a send (<see cref="SmtpProtocolException"/>, cancellation) is closed, never reused; one that merely had a
/// command refused goes back to the pool. The pool never retries a send itself, since it cannot know whether a broken
/// connection delivered the message.
/// </remarks>
public sealed class SmtpClientPool : IAsyncDisposable
{
    private readonly SmtpClientOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentStack<(SmtpClient Client, long IdleSince)> _idle = new();
    private readonly long _healthCheckTicks;
    private int _disposed;

    /// <summary>Creates a pool; no connection is opened until the first send.</summary>
    /// <param name="options">How each connection is made.</param>
    /// <param name="maxConnections">The most connections open at once, at least 1.</param>
    /// <param name="healthCheckAfterIdle">
    /// How long a connection may sit idle before it is checked with NOOP on reuse; default 2 seconds.
    /// <see cref="TimeSpan.Zero"/> checks before every reuse.
    /// </param>
    public SmtpClientPool(SmtpClientOptions options, int maxConnections, TimeSpan? healthCheckAfterIdle = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConnections, 1);
        options.Validate();
        _options = options;
        MaxConnections = maxConnections;
        _slots = new SemaphoreSlim(maxConnections, maxConnections);
        var interval = healthCheckAfterIdle ?? TimeSpan.FromSeconds(2);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero, nameof(healthCheckAfterIdle));
        _healthCheckTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>The most connections open at once.</summary>
    public int MaxConnections { get; }

    /// <summary>The connections open and idle right now.</summary>
    public int IdleCount => _idle.Count;

    /// <summary>Sends one message on a pooled connection; see <see cref="SmtpClient.SendAsync"/> for the results and failures.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <param name="content">The message content.</param>
    /// <param name="cancellationToken">Cancels waiting for a connection and the send.</param>
    /// <returns>Every recipient's reply.</returns>
    public async Task<SmtpSendResult> SendAsync(SmtpSendEnvelope envelope, SmtpMessageContent content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(content);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        SmtpClient? client = null;
        try
        {
            client = await RentAsync(cancellationToken).ConfigureAwait(false);
            return await client.SendAsync(envelope, content, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (client is not null)
            {
                await ReturnAsync(client).ConfigureAwait(false);
            }

            _slots.Release();
        }
    }

    private async Task<SmtpClient> RentAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryPop(out var idle))
        {
            var client = idle.Client;
            bool healthy = client.IsConnected
                && (Stopwatch.GetTimestamp() - idle.IdleSince < _healthCheckTicks
                    || await client.CheckHealthAsync(cancellationToken).ConfigureAwait(false));
            if (healthy)
            {
                return client;
            }

            await client.DisposeAsync().ConfigureAwait(false);
        }

        return await SmtpClient.ConnectAsync(_options, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask ReturnAsync(SmtpClient client)
    {
        if (client.IsConnected && Volatile.Read(ref _disposed) == 0)
        {
            _idle.Push((client, Stopwatch.GetTimestamp()));
            return;
        }

        await client.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Sends QUIT on every idle connection and closes it; connections in use close when their send ends.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (_idle.TryPop(out var idle))
        {
            try
            {
                await idle.Client.QuitAsync(quit.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SmtpProtocolException or InvalidOperationException)
            {
                // Closing anyway below.
            }

            await idle.Client.DisposeAsync().ConfigureAwait(false);
        }
    }
}
