using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Smtp.Core.Hosting.Internal;
using Smtp.Core.Server;

namespace Smtp.Core.Hosting;

/// <summary>
/// The hosted service <see cref="SmtpServerServiceCollectionExtensions.AddSmtpServer(IServiceCollection, string, Action{SmtpServerHostOptions}?)"/>
/// registers: starts an <see cref="SmtpServer"/> with the host and stops it gracefully with the host. Inject it to
/// learn the bound endpoints (port 0 resolved).
/// </summary>
/// <remarks>
/// Each connection runs in a DI scope of its own: the connection filter, mailbox filter, message store and
/// authenticator are resolved from that scope, so scoped services (a DbContext) are shared by one session's calls
/// and disposed when the session ends.
/// </remarks>
public sealed class SmtpServerHostedService : IHostedService
{
    private static readonly int s_defaultBacklog = new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)).Backlog;

    private readonly IOptions<SmtpServerHostOptions> _options;
    private readonly IServiceProvider _services;
    private readonly IReadOnlyList<SmtpServerConfigureAction> _configure;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _stopLock = new();
    private Task? _stopped;
    private X509Certificate2? _certificate;
    private IReadOnlyDictionary<string, IPEndPoint> _localEndPoints = new Dictionary<string, IPEndPoint>();

    internal SmtpServerHostedService(IOptions<SmtpServerHostOptions> options, IServiceProvider services, IEnumerable<SmtpServerConfigureAction> configure)
    {
        _options = options;
        _services = services;
        _configure = [.. configure];
        _loggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger(SmtpTelemetry.HostingLogCategory);
    }

    /// <summary>The running server, or <see langword="null"/> before the host started it.</summary>
    public SmtpServer? Server { get; private set; }

    /// <summary>The bound endpoints by their configured name (case-insensitive), port 0 resolved; empty before start.</summary>
    public IReadOnlyDictionary<string, IPEndPoint> LocalEndPoints => _localEndPoints;

    /// <summary>Completes when the server listens on every endpoint; faults when start-up failed.</summary>
    public Task Started => _started.Task;

    /// <summary>Builds the server from the options and the registered handlers, and binds every endpoint.</summary>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <returns>A task that completes when the server listens.</returns>
    /// <exception cref="OptionsValidationException">The configuration is invalid (normally reported earlier by ValidateOnStart).</exception>
    /// <exception cref="IOException">An endpoint cannot be bound; the message names it.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            (SmtpServerOptions serverOptions, List<string> names) = BuildServerOptions(_options.Value);
            SmtpServer server;
            try
            {
                server = new SmtpServer(serverOptions);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException($"The SMTP server options are invalid: {ex.Message}", ex);
            }

            if (!_services.GetRequiredService<IServiceProviderIsService>().IsService(typeof(IMessageStore)))
            {
                HostingLog.NoMessageStore(_logger);
            }

            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                // The accept loops, and so every session, must not inherit the async-locals of whoever started the host.
                Task starting;
                using (ExecutionContext.SuppressFlow())
                {
                    starting = server.StartAsync(cancellationToken);
                }

                await starting.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                await server.DisposeAsync().ConfigureAwait(false);
                if (ex is IOException io && NameFailedEndpoint(io, serverOptions, names) is { } named)
                {
                    throw named;
                }

                throw;
            }

            // SmtpServer.LocalEndPoints is in the order of SmtpServerOptions.Endpoints, as are the names.
            var bound = new Dictionary<string, IPEndPoint>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < names.Count; i++)
            {
                bound[names[i]] = server.LocalEndPoints[i];
                HostingLog.Listening(_logger, names[i], server.LocalEndPoints[i]);
            }

            _localEndPoints = bound;
            Server = server;
            _started.TrySetResult();
        }
        catch (Exception ex)
        {
            _certificate?.Dispose();
            _certificate = null;
            _started.TrySetException(ex);
            throw;
        }
    }

    /// <summary>
    /// Stops gracefully: no new connections, idle clients get <c>421 4.3.2</c>, a message in transfer may finish within
    /// <see cref="SmtpServerOptions.ShutdownGracePeriod"/>; then waits until every session's scope is disposed.
    /// </summary>
    /// <param name="cancellationToken">The host's shutdown timeout: ends the grace period early (transfers are aborted).</param>
    /// <returns>A task that completes when every session ended.</returns>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (Server is not { } server)
        {
            return Task.CompletedTask;
        }

        // Every caller waits for the one stop (a second call must not return while sessions are still ending).
        lock (_stopLock)
        {
            return _stopped ??= StopServerAsync(server, cancellationToken);
        }
    }

    private async Task StopServerAsync(SmtpServer server, CancellationToken cancellationToken)
    {
        HostingLog.Stopping(_logger, server.ActiveSessionCount);

        // The server disposes each session's scope (the end callback) before it counts the session as ended.
        await server.StopAsync(cancellationToken).ConfigureAwait(false);
        await server.DisposeAsync().ConfigureAwait(false);
        _certificate?.Dispose();
        _certificate = null;
        HostingLog.Stopped(_logger);
    }

    /// <summary>The core's bind failure names the address; the host's configuration knows the endpoint by its name.</summary>
    private static IOException? NameFailedEndpoint(IOException ex, SmtpServerOptions options, List<string> names)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (ex.Message.Contains($" {options.Endpoints[i].EndPoint}:", StringComparison.Ordinal))
            {
                return new IOException($"SMTP endpoint {names[i]}: {ex.Message}", ex);
            }
        }

        return null;
    }

    private (SmtpServerOptions Options, List<string> Names) BuildServerOptions(SmtpServerHostOptions host)
    {
        var options = new SmtpServerOptions
        {
            LoggerFactory = _loggerFactory,
            Lmtp = host.Lmtp,
            TimeProvider = _services.GetService<TimeProvider>() ?? TimeProvider.System,
        };
        Apply(host, options);

        var isService = _services.GetRequiredService<IServiceProviderIsService>();
        var scopes = _services.GetRequiredService<IServiceScopeFactory>();
        if (isService.IsService(typeof(IConnectionFilter)))
        {
            options.ConnectionFilter = new ScopedConnectionFilter();
        }

        if (isService.IsService(typeof(IMailboxFilter)))
        {
            options.MailboxFilter = new ScopedMailboxFilter();
        }

        if (isService.IsService(typeof(ILmtpMessageStore)))
        {
            options.MessageStore = new ScopedLmtpMessageStore();
        }
        else if (isService.IsService(typeof(IMessageStore)))
        {
            options.MessageStore = new ScopedMessageStore();
        }

        if (isService.IsService(typeof(ISmtpAuthenticator)))
        {
            ISmtpAuthenticator authenticator = isService.IsService(typeof(IScramCredentialStore))
                ? new ScopedScramAuthenticator()
                : new ScopedAuthenticator();
            var auth = new SmtpAuthenticationOptions(authenticator) { AllowWithoutTls = host.Authentication?.AllowWithoutTls ?? false };
            if (host.Authentication?.MaxFailures is { } maxFailures)
            {
                auth.MaxFailures = maxFailures;
            }

            if (host.Authentication?.FailureDelay is { } failureDelay)
            {
                auth.FailureDelay = failureDelay;
            }

            options.Authentication = auth;
        }

        SmtpTlsOptions? tls = null;
        if (host.Certificate is { } certificate)
        {
            _certificate = CertificateLoader.Load(certificate);
            tls = new SmtpTlsOptions { ServerCertificate = _certificate };
            if (host.TlsHandshakeTimeout is { } handshakeTimeout)
            {
                tls.HandshakeTimeout = handshakeTimeout;
            }
        }

        var names = new List<string>();
        foreach ((string name, SmtpEndpointHostOptions endpoint) in host.Endpoints)
        {
            if (!EndpointAddress.TryParse(endpoint.Address, out IPEndPoint? address))
            {
                throw new OptionsValidationException(name, typeof(SmtpServerHostOptions), [$"Endpoints:{name}:Address: '{endpoint.Address}' is not an IP address with a port."]);
            }

            names.Add(name);
            options.Endpoints.Add(new SmtpEndpoint(address)
            {
                Tls = endpoint.ImplicitTls || endpoint.StartTls ? tls : null,
                ImplicitTls = endpoint.ImplicitTls,
                RequireTls = endpoint.RequireTls,
                RequireAuthentication = endpoint.RequireAuthentication,
                Backlog = endpoint.Backlog ?? s_defaultBacklog,
            });
        }

        foreach (SmtpServerConfigureAction action in _configure)
        {
            action.Configure(_services, options);
        }

        // Installed after the ConfigureServer callbacks so that an observer of theirs runs inside the session's scope.
        options.SessionObserver = new SessionScope(scopes, options.SessionObserver);

        // ConfigureServer callbacks may add or replace endpoints: those added get their address as name.
        for (int i = names.Count; i < options.Endpoints.Count; i++)
        {
            names.Add(options.Endpoints[i].ToString());
        }

        names.RemoveRange(options.Endpoints.Count, names.Count - options.Endpoints.Count);
        return (options, names);
    }

    private static void Apply(SmtpServerHostOptions host, SmtpServerOptions options)
    {
        if (host.ServerName is { } serverName)
        {
            options.ServerName = serverName;
        }

        options.MaxMessageSize = host.MaxMessageSize ?? options.MaxMessageSize;
        options.MaxRecipients = host.MaxRecipients ?? options.MaxRecipients;
        options.MaxLineLength = host.MaxLineLength ?? options.MaxLineLength;
        options.MaxConnections = host.MaxConnections ?? options.MaxConnections;
        options.MaxConnectionsPerAddress = host.MaxConnectionsPerAddress ?? options.MaxConnectionsPerAddress;
        options.MaxProtocolErrors = host.MaxProtocolErrors ?? options.MaxProtocolErrors;
        options.CommandTimeout = host.CommandTimeout ?? options.CommandTimeout;
        options.DataTimeout = host.DataTimeout ?? options.DataTimeout;
        options.ShutdownGracePeriod = host.ShutdownGracePeriod ?? options.ShutdownGracePeriod;
        options.GreetingDelay = host.GreetingDelay ?? options.GreetingDelay;
        options.BareLineEndings = host.BareLineEndings ?? options.BareLineEndings;
    }
}
