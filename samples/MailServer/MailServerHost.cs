using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Smtp.Core.Auth;
using Smtp.Core.Server;
using Smtp.Core.Storage;

namespace MailServer;

/// <summary>Runs the server described by <see cref="MailServerSettings"/> until SIGINT or SIGTERM.</summary>
internal static class MailServerHost
{
    /// <summary>The environment variable holding the password of the --cert PFX file (unset: no password).</summary>
    public const string CertificatePasswordVariable = "MAILSERVER_CERT_PASSWORD";

    /// <summary>Builds the server options the settings ask for; engine defaults stay where no option was given.</summary>
    public static SmtpServerOptions CreateOptions(MailServerSettings settings, IMessageStore store)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // Both stores read the body with await only (Maildir fsyncs on the thread pool): no thread hop per message.
        var options = new SmtpServerOptions { MessageStore = store, RunMessageStoreInline = true, Lmtp = settings.Lmtp };
        if (settings.MaxMessageSize is { } size)
        {
            options.MaxMessageSize = size;
        }

        if (settings.MaxRecipients is { } recipients)
        {
            options.MaxRecipients = recipients;
        }

        if (settings.CommandTimeout is { } timeout)
        {
            options.CommandTimeout = timeout;
        }

        if (settings.MaxConnections is { } connections)
        {
            options.MaxConnections = connections;
        }

        if (settings.MaxConnectionsPerAddress is { } perAddress)
        {
            options.MaxConnectionsPerAddress = perAddress;
        }

        // --cert: STARTTLS on every --listen endpoint, and the certificate of the --implicit-tls endpoints. A PFX
        // password, if any, comes from the environment so that it stays out of the process list.
        SmtpTlsOptions? tls = settings.CertificatePath is { } certificate
            ? SmtpTlsOptions.FromPfxFile(certificate, Environment.GetEnvironmentVariable(CertificatePasswordVariable))
            : null;
        if (settings.Users.Count > 0)
        {
            var users = new InMemoryUserAuthenticator();
            foreach (var (name, password) in settings.Users)
            {
                users.Add(name, password);
            }

            var auth = new SmtpAuthenticationOptions(users) { AllowWithoutTls = tls is null };
            auth.Mechanisms.Add(SaslMechanisms.CramMd5);
            options.Authentication = auth;
        }

        foreach (var endPoint in settings.Listen)
        {
            options.Endpoints.Add(new SmtpEndpoint(endPoint) { Tls = tls, RequireAuthentication = settings.RequireAuth });
        }

        foreach (var endPoint in settings.ImplicitTls)
        {
            options.Endpoints.Add(new SmtpEndpoint(endPoint) { Tls = tls, ImplicitTls = true, RequireAuthentication = settings.RequireAuth });
        }

        return options;
    }

    /// <summary>
    /// Starts the server, prints one <c>Listening on ADDR:PORT</c> line per bound endpoint, waits for
    /// SIGINT/SIGTERM, then stops gracefully. Returns the process exit code.
    /// </summary>
    public static async Task<int> RunAsync(MailServerSettings settings, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        IMessageStore store;
        string where;
        if (settings.Discard)
        {
            store = new DiscardMessageStore();
            where = "Discarding every message";
        }
        else
        {
            var maildir = Path.GetFullPath(settings.Maildir ?? MailServerSettings.DefaultMaildir);
            try
            {
                // The store creates DIR with tmp/, new/ and cur/ when they are missing.
                store = new ReportingMessageStore(new MaildirMessageStore(maildir), output);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"MailServer: cannot use Maildir {maildir}: {e.Message}");
                return 1;
            }

            where = $"Storing messages in {Path.Combine(maildir, "new")}";
        }

        SmtpServerOptions options;
        try
        {
            options = CreateOptions(settings, store);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException)
        {
            error.WriteLine($"MailServer: cannot use certificate {settings.CertificatePath}: {e.Message} (password from ${CertificatePasswordVariable})");
            return 1;
        }

        if (options.Authentication is { AllowWithoutTls: true })
        {
            error.WriteLine("MailServer: warning: --user without --cert: AUTH is offered without TLS, passwords cross the network in clear");
        }

        using var shutdown = new ShutdownSignal();
        await using var server = new SmtpServer(options);
        try
        {
            await server.StartAsync(shutdown.Token).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // The engine reports a port in use (or an address not on this machine) as an IOException.
            error.WriteLine($"MailServer: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 0; // stopped before it was listening
        }

        output.WriteLine(where);
        foreach (var endPoint in server.LocalEndPoints)
        {
            output.WriteLine($"Listening on {CommandLine.Format(endPoint)}");
        }

        output.WriteLine("Press Ctrl+C to stop.");
        output.Flush();

        await shutdown.WaitAsync().ConfigureAwait(false);
        output.WriteLine("Stopping: waiting for sessions in progress (Ctrl+C again to quit at once)");
        output.Flush();
        shutdown.AllowForcedExit();
        await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
        output.WriteLine("Stopped");
        output.Flush();
        return 0;
    }

    /// <summary>
    /// Turns the first SIGINT or SIGTERM into a graceful stop instead of the runtime's immediate exit;
    /// once <see cref="AllowForcedExit"/> is called, a second signal ends the process the default way.
    /// </summary>
    private sealed class ShutdownSignal : IDisposable
    {
        private readonly CancellationTokenSource _requested = new();
        private readonly PosixSignalRegistration[] _registrations;
        private volatile bool _allowForcedExit;

        public ShutdownSignal()
        {
            _registrations =
            [
                PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
            ];
        }

        public CancellationToken Token => _requested.Token;

        public Task WaitAsync() => Task.Delay(Timeout.Infinite, _requested.Token)
            .ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        public void AllowForcedExit() => _allowForcedExit = true;

        public void Dispose()
        {
            foreach (var registration in _registrations)
            {
                registration.Dispose();
            }

            _requested.Dispose();
        }

        private void Handle(PosixSignalContext context)
        {
            if (_allowForcedExit)
            {
                return; // not cancelled: the runtime terminates the process as usual
            }

            context.Cancel = true;
            _requested.Cancel();
        }
    }
}
