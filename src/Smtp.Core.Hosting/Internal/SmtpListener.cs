using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Smtp.Core.Server;

namespace Smtp.Core.Hosting.Internal;

/// <summary>
/// Accepts connections on the configured endpoints and runs each session through
/// <see cref="SmtpServer.RunSessionOnEndpointAsync"/> inside a DI scope of its own, disposed when the session ends.
/// </summary>
/// <remarks>
/// The hosting layer listens itself instead of calling <see cref="SmtpServer.StartAsync"/> because the core's
/// listener gives no hook at the start and end of a session, and a scoped service (a DbContext) must live exactly
/// as long as its session. The server still owns the sessions: limits, graceful shutdown and metrics are its own.
/// </remarks>
internal sealed class SmtpListener
{
    private readonly SmtpServer _server;
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger _logger;
    private readonly List<(Socket Socket, SmtpEndpoint Endpoint)> _sockets = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private long _nextConnection;

    public SmtpListener(SmtpServer server, IServiceScopeFactory scopes, ILogger logger)
    {
        _server = server;
        _scopes = scopes;
        _logger = logger;
    }

    /// <summary>Binds every endpoint; on a failure nothing stays bound and the exception names the endpoint.</summary>
    /// <returns>The bound endpoints, by name, in order.</returns>
    public IReadOnlyList<KeyValuePair<string, IPEndPoint>> Bind(IReadOnlyList<(string Name, SmtpEndpoint Endpoint)> endpoints)
    {
        var bound = new List<KeyValuePair<string, IPEndPoint>>();
        try
        {
            foreach ((string name, SmtpEndpoint endpoint) in endpoints)
            {
                var socket = new Socket(endpoint.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                _sockets.Add((socket, endpoint));
                if (endpoint.EndPoint.Address.Equals(IPAddress.IPv6Any))
                {
                    // "*:25" and "[::]:25" take IPv4 clients too where the OS allows dual mode.
                    socket.DualMode = true;
                }

                try
                {
                    socket.Bind(endpoint.EndPoint);
                    socket.Listen(endpoint.Backlog);
                }
                catch (SocketException ex)
                {
                    throw new IOException($"SMTP endpoint {name}: cannot listen on {endpoint.EndPoint}: {ex.SocketErrorCode} ({ex.Message}).", ex);
                }

                var local = (IPEndPoint)socket.LocalEndPoint!;
                bound.Add(new KeyValuePair<string, IPEndPoint>(name, local));
                HostingLog.Listening(_logger, name, local);
            }
        }
        catch
        {
            foreach ((Socket socket, _) in _sockets)
            {
                socket.Dispose();
            }

            _sockets.Clear();
            throw;
        }

        // The accept loops, and so every session, must not inherit the async-locals of whoever started the host.
        using (ExecutionContext.SuppressFlow())
        {
            foreach ((Socket socket, SmtpEndpoint endpoint) in _sockets)
            {
                _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(socket, endpoint)));
            }
        }

        return bound;
    }

    /// <summary>
    /// Stops accepting, lets the server end its sessions gracefully (421 to idle clients, transfers finish within
    /// the grace period, <paramref name="cancellationToken"/> ends it early), then waits for every session's scope
    /// to be disposed.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach ((Socket socket, _) in _sockets)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        await _server.StopAsync(cancellationToken).ConfigureAwait(false);

        // Sessions are over; what is left is scope disposal, and connections accepted during the stop (refused 421).
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener, SmtpEndpoint endpoint)
    {
        EndPoint? local = listener.LocalEndPoint;
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                // A connection reset between SYN and accept, or a transient shortage of descriptors: keep accepting.
                HostingLog.AcceptFailed(_logger, local, ex);
                continue;
            }

            long id = Interlocked.Increment(ref _nextConnection);
            _connections[id] = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(client, endpoint).ConfigureAwait(false);
                }
                finally
                {
                    _connections.TryRemove(id, out _);
                }
            });
        }
    }

    private async Task ServeAsync(Socket socket, SmtpEndpoint endpoint)
    {
        try
        {
            socket.NoDelay = true;
            EndPoint? remote = socket.RemoteEndPoint;
            EndPoint? local = socket.LocalEndPoint;
            var stream = new NetworkStream(socket, ownsSocket: true);
            await using (stream.ConfigureAwait(false))
            {
                AsyncServiceScope scope = _scopes.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    // Every host call of the session flows from this call and finds the scope here.
                    SessionScope.Current = scope.ServiceProvider;
                    try
                    {
                        await _server.RunSessionOnEndpointAsync(new StreamDuplexPipe(stream), remote, local, endpoint).ConfigureAwait(false);
                    }
                    finally
                    {
                        SessionScope.Current = null;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The peer went away while the session was set up or torn down.
        }
        catch (Exception ex)
        {
            // A scoped service that throws on dispose must not take the listener down.
            HostingLog.ConnectionFailed(_logger, ex);
        }
    }
}
