using System.Net;
using Smtp.Core.Server;
using Smtp.Core.Storage;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Interop;

/// <summary>
/// The server under test for one interop test: Smtp.Core's <see cref="SmtpServer"/> on 127.0.0.1:0 with a
/// <see cref="MaildirMessageStore"/> in a temporary folder, reached through a <see cref="SmtpWireRecorder"/>
/// so that a failing test shows the whole conversation.
/// </summary>
internal sealed class InteropServer : IAsyncDisposable
{
    private InteropServer(SmtpServer server, TempMaildir maildir, SmtpWireRecorder recorder)
    {
        Server = server;
        Maildir = maildir;
        Recorder = recorder;
    }

    public SmtpServer Server { get; }

    public TempMaildir Maildir { get; }

    public SmtpWireRecorder Recorder { get; }

    /// <summary>The port clients connect to (the recorder's, which relays to the server).</summary>
    public int Port => Recorder.Port;

    /// <summary>The server's own endpoint, for clients that should bypass the recorder (load).</summary>
    public IPEndPoint ServerEndPoint => Server.LocalEndPoints[0];

    public static async Task<InteropServer> StartAsync(Action<SmtpServerOptions>? configure = null)
    {
        var maildir = new TempMaildir();
        var options = new SmtpServerOptions
        {
            ServerName = "interop.test",
            MessageStore = new MaildirMessageStore(maildir.Path),
            // Clients here are all on 127.0.0.1; smtp-source opens several sessions at once.
            MaxConnectionsPerAddress = 200,
            CommandTimeout = TimeSpan.FromSeconds(30),
            DataTimeout = TimeSpan.FromSeconds(30),
            ShutdownGracePeriod = TimeSpan.FromSeconds(5),
        };
        options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)));
        configure?.Invoke(options);
        var server = new SmtpServer(options);
        await server.StartAsync();
        return new InteropServer(server, maildir, new SmtpWireRecorder(server.LocalEndPoints[0]));
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await Server.DisposeAsync();
        await Recorder.DisposeAsync();
        Maildir.Dispose();
    }
}
