using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Smtp.Core.Server;

/// <summary>
/// An SMTP (or LMTP) server: listens on the configured endpoints, or runs sessions over transports the host
/// provides, and answers clients on behalf of the host's filters and store.
/// </summary>
/// <remarks>
/// Typical use: fill <see cref="SmtpServerOptions"/>, create the server, <see cref="StartAsync"/>, and on
/// shutdown <see cref="StopAsync"/> (or dispose). Hosts with their own connection handling (ASP.NET Core
/// connection middleware, tests over in-memory pipes) call <see cref="RunSessionAsync"/> per connection. Per-session
/// resources (a DI scope, a unit of work) are opened and released by <see cref="SmtpServerOptions.SessionObserver"/>,
/// for sessions of either kind.
/// </remarks>
public sealed class SmtpServer : IAsyncDisposable
{
    // True on a thread while an accept loop runs the synchronous start of a session it accepted: exactly when
    // that session's code, had it not yet waited for anything, would hold up the next accept.
    [ThreadStatic]
    private static bool t_onAcceptLoop;

    private readonly ConcurrentDictionary<SmtpSession, Task> _sessions = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private IPEndPoint[] _localEndPoints = [];
    private int _connections;
    private int _started;
    private int _stopped;
    private bool _aborting;

    /// <summary>Creates a server; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The configuration; validated here.</param>
    /// <exception cref="ArgumentException">An option has a value that cannot work.</exception>
    public SmtpServer(SmtpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Replies = new SmtpServerReplies(options);
        _logger = options.LoggerFactory?.CreateLogger("Smtp.Core.Server") ?? NullLogger.Instance;
    }

    /// <summary>The endpoints actually bound (port 0 resolved to the chosen port), in the order of <see cref="SmtpServerOptions.Endpoints"/>.</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => _localEndPoints;

    /// <summary>Whether the calling code runs inside an accept loop, in a session it started without a hop.</summary>
    internal static bool OnAcceptLoop => t_onAcceptLoop;

    /// <summary>The number of sessions in progress.</summary>
    public int ActiveSessionCount => _sessions.Count;

    internal SmtpServerOptions Options { get; }

    internal ILogger Logger => _logger;

    internal SmtpServerReplies Replies { get; }

    internal bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>Binds every endpoint of <see cref="SmtpServerOptions.Endpoints"/> and starts accepting connections.</summary>
    /// <param name="cancellationToken">Cancels binding (not the server: use <see cref="StopAsync"/>).</param>
    /// <exception cref="IOException">An endpoint cannot be bound (for example the port is in use); the message names it and nothing stays bound.</exception>
    /// <exception cref="InvalidOperationException">The server was already started or stopped.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0 || _stopping.IsCancellationRequested)
        {
            throw new InvalidOperationException("The server was already started.");
        }

        var bound = new List<IPEndPoint>();
        try
        {
            foreach (SmtpEndpoint endpoint in Options.Endpoints)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var socket = new Socket(endpoint.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                _listeners.Add(socket);
                if (endpoint.EndPoint.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    // [::] also takes IPv4 clients where the OS allows it, like most MTAs do, unless 0.0.0.0 is
                    // configured on the same port (both would then claim the IPv4 side and the second bind fail).
                    socket.DualMode = endpoint.EndPoint.Address.Equals(IPAddress.IPv6Any) && !HasIPv4AnyOnPort(endpoint.EndPoint.Port);
                }

                try
                {
                    socket.Bind(endpoint.EndPoint);
                    socket.Listen(endpoint.Backlog);
                }
                catch (SocketException ex)
                {
                    throw new IOException($"Cannot listen on {endpoint.EndPoint}: {ex.SocketErrorCode} ({ex.Message}).", ex);
                }

                var local = (IPEndPoint)socket.LocalEndPoint!;
                bound.Add(local);
                SmtpServerLog.Listening(_logger, local);
            }
        }
        catch
        {
            foreach (Socket socket in _listeners)
            {
                socket.Dispose();
            }

            _listeners.Clear();
            throw;
        }

        _localEndPoints = [.. bound];

        // Sessions must not inherit the caller's execution context (its Activity, logging scopes, AsyncLocals): the
        // accept loops start without it, whether a session then starts inline or on the thread pool.
        using (ExecutionContext.SuppressFlow())
        {
            for (int i = 0; i < _listeners.Count; i++)
            {
                _acceptLoops.Add(AcceptLoopAsync(_listeners[i], Options.Endpoints[i]));
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Runs one session over a transport the host accepted itself; completes when the session ended.</summary>
    /// <param name="transport">The connection; the session completes both of its sides when it ends.</param>
    /// <param name="remote">The client's endpoint, for the context, logs and the per-address limit.</param>
    /// <param name="local">The server's endpoint, for the context.</param>
    /// <param name="cancellationToken">Aborts the session at once: a message in transfer is dropped, a 421 4.3.2 is attempted, the transport is completed.</param>
    /// <remarks>
    /// The connection limits of <see cref="SmtpServerOptions"/> apply: a transport beyond them is answered
    /// <c>421 4.7.0</c> and completed. Exceptions of the transport end the session; they are logged, not thrown.
    /// </remarks>
    public Task RunSessionAsync(IDuplexPipe transport, EndPoint? remote, EndPoint? local, CancellationToken cancellationToken = default)
        => RunSessionOnEndpointAsync(transport, remote, local, endpoint: null, cancellationToken);

    /// <summary>
    /// Runs one session over a transport the host accepted itself, with the TLS and authentication settings of
    /// <paramref name="endpoint"/> (STARTTLS, implicit TLS, required TLS or authentication); completes when the session ended.
    /// </summary>
    /// <param name="transport">The connection; the session completes both of its sides when it ends.</param>
    /// <param name="remote">The client's endpoint, for the context, logs and the per-address limit.</param>
    /// <param name="local">The server's endpoint, for the context.</param>
    /// <param name="endpoint">The settings to apply (its address is not used), or <see langword="null"/> for a plain session.</param>
    /// <param name="cancellationToken">Aborts the session at once (no 421, no grace period).</param>
    /// <remarks>
    /// TLS runs over the pipe seen as a stream, so STARTTLS works over any transport, in-memory pipes included.
    /// </remarks>
    /// <exception cref="ArgumentException">The endpoint's settings cannot work (for example TLS required but not configured).</exception>
    public Task RunSessionOnEndpointAsync(IDuplexPipe transport, EndPoint? remote, EndPoint? local, SmtpEndpoint? endpoint, CancellationToken cancellationToken = default)
        => RunSessionCoreAsync(transport, remote, local, endpoint, cancellationToken);

    /// <summary>Runs one session; true when the client ended it with QUIT.</summary>
    private async Task<bool> RunSessionCoreAsync(IDuplexPipe transport, EndPoint? remote, EndPoint? local, SmtpEndpoint? endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        endpoint?.ValidateSecurity(Options);
        IPAddress? address = (remote as IPEndPoint)?.Address;
        string? refusal = TryAcquireSlot(address);
        if (refusal is not null)
        {
            SmtpServerMetrics.Connections.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));
            SmtpServerLog.ConnectionRefused(_logger, remote, refusal);
            // RFC 3463: 4.3.2 "system not accepting network messages" while stopping, 4.7.0 for a policy limit.
            string enhanced = _stopping.IsCancellationRequested ? "4.3.2" : "4.7.0";
            if (endpoint is { ImplicitTls: true })
            {
                // RFC 8314: the client's first bytes are a TLS hello; a plaintext 421 would be read as a broken record.
                await transport.Output.CompleteAsync().ConfigureAwait(false);
                await transport.Input.CompleteAsync().ConfigureAwait(false);
                return false;
            }

            await SmtpSession.RefuseAsync(transport, enhanced, $"{Options.ServerName} {refusal}, try again later").ConfigureAwait(false);
            return false;
        }

        try
        {
            SmtpServerMetrics.Connections.Add(1, new KeyValuePair<string, object?>("outcome", "accepted"));
            var session = new SmtpSession(this, transport, remote, local, endpoint);

            // Registered before it starts, so that a StopAsync from here on (even one a host callback makes during
            // the session's first steps) sees the session, shuts it down and waits for it.
            var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _sessions[session] = ended.Task;
            try
            {
                if (_stopping.IsCancellationRequested)
                {
                    session.RequestShutdown();
                }

                if (Volatile.Read(ref _aborting))
                {
                    session.Abort();
                }

                await session.RunAsync(cancellationToken).ConfigureAwait(false);
                return session.EndedWithQuit;
            }
            finally
            {
                _sessions.TryRemove(session, out _);
                ended.SetResult();
            }
        }
        finally
        {
            ReleaseSlot(address);
        }
    }

    /// <summary>
    /// Stops gracefully: stops accepting, answers idle sessions <c>421 4.3.2</c> and closes them, lets a message
    /// transfer in progress finish within <see cref="SmtpServerOptions.ShutdownGracePeriod"/>, then aborts what is left.
    /// </summary>
    /// <param name="cancellationToken">Ends the grace period early.</param>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            await WaitForSessionsAsync().ConfigureAwait(false);
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (Socket socket in _listeners)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        foreach (SmtpSession session in _sessions.Keys)
        {
            session.RequestShutdown();
        }

        Task all = WaitForSessionsAsync();
        try
        {
            await all.WaitAsync(Options.ShutdownGracePeriod, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            Volatile.Write(ref _aborting, true);
            foreach (SmtpSession session in _sessions.Keys)
            {
                session.Abort();
            }

            await all.ConfigureAwait(false);
        }
    }

    /// <summary>Waits until no session is registered, including one that registered while this was waiting.</summary>
    private async Task WaitForSessionsAsync()
    {
        while (true)
        {
            if (!_sessions.IsEmpty)
            {
                await Task.WhenAll(_sessions.Values).ConfigureAwait(false);
            }
            else if (Volatile.Read(ref _connections) > 0)
            {
                // A connection took its slot before the stop but has not registered its session yet: a moment.
                await Task.Delay(1).ConfigureAwait(false);
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Stops the server (see <see cref="StopAsync"/>) and releases its resources.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private bool HasIPv4AnyOnPort(int port)
        => port != 0 && Options.Endpoints.Any(e => e.EndPoint.Address.Equals(IPAddress.Any) && e.EndPoint.Port == port);

    private async Task AcceptLoopAsync(Socket listener, SmtpEndpoint settings)
    {
        EndPoint endPoint = listener.LocalEndPoint!;
        TimeSpan backoff = TimeSpan.Zero;
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                if (backoff > TimeSpan.Zero)
                {
                    await Task.Delay(backoff, Options.TimeProvider, _stopping.Token).ConfigureAwait(false);
                }

                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
                backoff = TimeSpan.Zero;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                // A connection reset between SYN and accept, or a transient resource shortage: keep accepting.
                // Out of descriptors or memory fails every accept at once: back off instead of spinning.
                SmtpServerLog.AcceptFailed(_logger, endPoint, ex);
                backoff = NextAcceptBackoff(backoff);
                continue;
            }

            // Started here, without a thread-pool hop: the session runs on this loop until it first waits (the
            // greeting written and flushed, a few microseconds), and leaves for the thread pool before a TLS handshake,
            // a host callback or a command that was already buffered (SmtpSession.LeaveAcceptLoopAsync).
            t_onAcceptLoop = true;
            try
            {
                _ = ServeSocketAsync(client, settings);
            }
            finally
            {
                t_onAcceptLoop = false;
            }
        }
    }

    /// <summary>10 ms after the first failed accept, doubling with each consecutive failure, at most 1 s.</summary>
    internal static TimeSpan NextAcceptBackoff(TimeSpan previous)
    {
        TimeSpan next = previous <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(10) : previous * 2;
        return next > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : next;
    }

    private async Task ServeSocketAsync(Socket socket, SmtpEndpoint settings)
    {
        EndPoint? remote;
        try
        {
            socket.NoDelay = true;
            remote = socket.RemoteEndPoint;
        }
        catch (SocketException)
        {
            // The connection is already gone (reset before it was served).
            socket.Dispose();
            return;
        }

        try
        {
            var stream = new NetworkStream(socket, ownsSocket: true);
            await using (stream.ConfigureAwait(false))
            {
                // StreamTransport keeps the stream so that TLS can wrap the socket's stream itself.
                var transport = new StreamTransport(stream);
                bool quit = await RunSessionCoreAsync(transport, remote, socket.LocalEndPoint, settings, CancellationToken.None).ConfigureAwait(false);

                // After QUIT and its 221, with nothing unread in the kernel, closing sends FIN, not RST: the drain
                // is for the other endings (a 421 or 554 to a client that may still be sending).
                if (!quit || socket.Available > 0)
                {
                    await LingerAsync(socket).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The peer went away while the session was being set up or torn down.
        }
        catch (Exception ex)
        {
            // Nobody awaits this task: a defect here must be logged, not left unobserved.
            SmtpServerLog.ConnectionFailed(_logger, remote, ex);
        }
    }

    /// <summary>
    /// Closes the sending side and reads (and drops) what the client still sends, for a moment: closing a socket
    /// with unread input makes the kernel send RST, which can destroy the last reply (a 421, 554 or 221) before the
    /// client reads it.
    /// </summary>
    private static async Task LingerAsync(Socket socket)
    {
        const int MaxDrainBytes = 64 * 1024;
        try
        {
            socket.Shutdown(SocketShutdown.Send);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                int total = 0;
                while (total < MaxDrainBytes)
                {
                    int read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    total += read;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer reset, or kept the connection open past the drain period: close anyway.
        }
    }

    private string? TryAcquireSlot(IPAddress? address)
    {
        if (_stopping.IsCancellationRequested)
        {
            return "shutting down";
        }

        if (Interlocked.Increment(ref _connections) > Options.MaxConnections)
        {
            Interlocked.Decrement(ref _connections);
            return "too many connections";
        }

        if (address is not null)
        {
            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            int count = _perAddress.AddOrUpdate(address, 1, static (_, n) => n + 1);
            if (count > Options.MaxConnectionsPerAddress)
            {
                ReleaseAddress(address);
                Interlocked.Decrement(ref _connections);
                return "too many connections from this address";
            }
        }

        return null;
    }

    private void ReleaseSlot(IPAddress? address)
    {
        if (address is not null)
        {
            ReleaseAddress(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
        }

        Interlocked.Decrement(ref _connections);
    }

    private void ReleaseAddress(IPAddress address)
    {
        while (_perAddress.TryGetValue(address, out int count))
        {
            bool done = count <= 1
                ? _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, count))
                : _perAddress.TryUpdate(address, count - 1, count);
            if (done)
            {
                return;
            }
        }
    }
}
