using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Smtp.Core.Server;
using Smtp.Core.Storage;

namespace Smtp.Core.Tests.Support;

/// <summary>
/// One server session over in-memory pipes, driven like a client: send lines, read replies, or replay a whole
/// transcript (see <see cref="RunAsync"/>). Every read gives up after a few seconds so a hung session fails
/// the test instead of hanging it.
/// </summary>
public sealed class SessionHarness : IAsyncDisposable
{
    private static readonly TimeSpan s_readTimeout = TimeSpan.FromSeconds(10);
    private readonly Pipe _toServer = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Pipe _toClient = new(new PipeOptions(useSynchronizationContext: false));

    /// <summary>Starts a session on a new server configured by <paramref name="configure"/>.</summary>
    public SessionHarness(Action<SmtpServerOptions>? configure = null, IPEndPoint? remote = null)
    {
        Options = new SmtpServerOptions { ServerName = "mx.test", TimeProvider = Time, MessageStore = Store };
        configure?.Invoke(Options);
        Server = new SmtpServer(Options);
        Output = new CountingPipeWriter(_toClient.Writer);
        Session = Server.RunSessionAsync(new DuplexPipe(_toServer.Reader, Output), remote ?? new IPEndPoint(IPAddress.Loopback, 40000), new IPEndPoint(IPAddress.Loopback, 25));
    }

    /// <summary>Starts a session on an existing server; <paramref name="cancellationToken"/> aborts it.</summary>
    public SessionHarness(SmtpServer server, IPEndPoint? remote = null, CancellationToken cancellationToken = default)
    {
        Server = server;
        Options = server.Options;
        Output = new CountingPipeWriter(_toClient.Writer);
        Session = Server.RunSessionAsync(new DuplexPipe(_toServer.Reader, Output), remote ?? new IPEndPoint(IPAddress.Loopback, 40000), new IPEndPoint(IPAddress.Loopback, 25), cancellationToken);
    }

    /// <summary>The fake clock the server runs on (unless the configuration replaced it).</summary>
    public ManualTimeProvider Time { get; } = new();

    /// <summary>The default store: in memory.</summary>
    public InMemoryMessageStore Store { get; } = new();

    /// <summary>The server's options.</summary>
    public SmtpServerOptions Options { get; }

    /// <summary>The server.</summary>
    public SmtpServer Server { get; }

    /// <summary>The server's output, counting flushes.</summary>
    public CountingPipeWriter Output { get; }

    /// <summary>The session; completes when it ended.</summary>
    public Task Session { get; }

    /// <summary>Sends raw text (UTF-8) in one write.</summary>
    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Sends raw bytes in one write.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await _toServer.Writer.WriteAsync(bytes);
    }

    /// <summary>Closes the client's sending side (like a TCP FIN).</summary>
    public Task CloseAsync() => _toServer.Writer.CompleteAsync().AsTask();

    /// <summary>Reads one reply line (without CRLF), or null if the server closed.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(s_readTimeout);
        while (true)
        {
            ReadResult read = await _toClient.Reader.ReadAsync(timeout.Token);
            ReadOnlySequence<byte> buffer = read.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            if (reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
            {
                string text = Encoding.UTF8.GetString(line);
                _toClient.Reader.AdvanceTo(reader.Position);
                return text;
            }

            _toClient.Reader.AdvanceTo(buffer.Start, buffer.End);
            if (read.IsCompleted)
            {
                return buffer.IsEmpty ? null : throw new InvalidOperationException("Unterminated reply: " + Encoding.UTF8.GetString(buffer));
            }
        }
    }

    /// <summary>Reads one whole reply (every line of a multi-line reply), lines joined with LF.</summary>
    public async Task<string> ReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            string line = await ReadLineAsync() ?? throw new InvalidOperationException("The server closed; replies so far: " + string.Join(" | ", lines));
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return string.Join("\n", lines);
            }
        }
    }

    /// <summary>Sends a command line (CRLF added) and reads its reply.</summary>
    public async Task<string> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    /// <summary>Whether the server closed its side with nothing more to say.</summary>
    public async Task<bool> ServerClosedAsync() => await ReadLineAsync() is null;

    /// <summary>Reads the greeting and sends EHLO, asserting both succeed.</summary>
    public async Task GreetAsync(string hello = "EHLO client.test")
    {
        Assert.That(await ReadReplyAsync(), Does.StartWith("220 "));
        Assert.That(await CommandAsync(hello), Does.StartWith("250"));
    }

    /// <summary>Greets with EHLO and opens a transaction up to the 354 of DATA (from &lt;a@b.c&gt; to &lt;d@e.f&gt;).</summary>
    public async Task EnterDataAsync()
    {
        await GreetAsync();
        await RunAsync("""
            C: MAIL FROM:<a@b.c>
            S: 250
            C: RCPT TO:<d@e.f>
            S: 250
            C: DATA
            S: 354
            """);
    }

    /// <summary>
    /// Replays a transcript. <c>C: </c> lines are client lines (sent with CRLF; consecutive ones in one write, as
    /// a pipelining client would); <c>S: </c> lines are expected server reply lines, matched as prefixes;
    /// <c>S: &lt;closed&gt;</c> expects the server to close. Blank lines are ignored.
    /// </summary>
    public async Task RunAsync(string transcript)
    {
        var batch = new StringBuilder();
        foreach (string raw in transcript.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }

            line = line.TrimStart();
            if (line.StartsWith("C: ", StringComparison.Ordinal) || line == "C:")
            {
                batch.Append(line.Length > 3 ? line[3..] : string.Empty).Append("\r\n");
                continue;
            }

            if (batch.Length > 0)
            {
                await SendAsync(batch.ToString());
                batch.Clear();
            }

            if (!line.StartsWith("S: ", StringComparison.Ordinal))
            {
                throw new FormatException("Transcript lines start with 'C: ' or 'S: ': " + line);
            }

            string expected = line[3..];
            string? actual = await ReadLineAsync();
            if (expected == "<closed>")
            {
                Assert.That(actual, Is.Null, "expected the server to close");
            }
            else
            {
                Assert.That(actual, Does.StartWith(expected), $"transcript line '{line}'");
            }
        }

        if (batch.Length > 0)
        {
            await SendAsync(batch.ToString());
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        Task finished = await Task.WhenAny(Session, Task.Delay(s_readTimeout));
        await _toClient.Reader.CompleteAsync();
        Assert.That(finished, Is.SameAs(Session), "the session did not end after the client closed");
        await Session;
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
