using System.IO.Pipelines;
using System.Net;
using Smtp.Core.Server;
using Smtp.Core.Storage;

namespace Smtp.Core.Tests.Support;

/// <summary>
/// One server session over in-memory pipes with an endpoint's TLS/AUTH settings, driven by a
/// <see cref="StreamSmtpClient"/> that can switch to TLS.
/// </summary>
internal sealed class TlsSessionHarness : IAsyncDisposable
{
    private readonly Pipe _toServer = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Pipe _toClient = new(new PipeOptions(useSynchronizationContext: false));

    public TlsSessionHarness(SmtpEndpoint endpoint, Action<SmtpServerOptions>? configure = null, SmtpServer? server = null)
    {
        if (server is null)
        {
            Options = new SmtpServerOptions { ServerName = "mx.test", TimeProvider = Time, MessageStore = Store };
            configure?.Invoke(Options);
            Server = new SmtpServer(Options);
        }
        else
        {
            Server = server;
            Options = server.Options;
        }

        Session = Server.RunSessionOnEndpointAsync(
            new DuplexPipe(_toServer.Reader, _toClient.Writer),
            new IPEndPoint(IPAddress.Loopback, 40000),
            new IPEndPoint(IPAddress.Loopback, 25),
            endpoint);
        Client = new StreamSmtpClient(new Smtp.Core.Server.DuplexPipeStream(new DuplexPipe(_toClient.Reader, _toServer.Writer)));
    }

    public static SmtpEndpoint Endpoint(bool implicitTls = false, bool requireTls = false, bool requireAuth = false, SmtpTlsOptions? tls = null)
        => new(new IPEndPoint(IPAddress.Loopback, 0))
        {
            Tls = tls ?? new SmtpTlsOptions { ServerCertificate = TestCertificates.Server },
            ImplicitTls = implicitTls,
            RequireTls = requireTls,
            RequireAuthentication = requireAuth,
        };

    public ManualTimeProvider Time { get; } = new();

    public InMemoryMessageStore Store { get; } = new();

    public SmtpServerOptions Options { get; }

    public SmtpServer Server { get; }

    public Task Session { get; }

    public StreamSmtpClient Client { get; }

    /// <summary>Closes the client's sending side, like a TCP FIN under the TLS layer.</summary>
    public Task CloseAsync() => _toServer.Writer.CompleteAsync().AsTask();

    /// <summary>Waits for the session to end; fails the test if it does not within 10 seconds.</summary>
    public async Task AssertSessionEndsAsync()
    {
        Task finished = await Task.WhenAny(Session, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.That(finished, Is.SameAs(Session), "the session did not end");
        await Session;
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _toServer.Writer.CompleteAsync();
        await AssertSessionEndsAsync();
        await _toClient.Reader.CompleteAsync();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
