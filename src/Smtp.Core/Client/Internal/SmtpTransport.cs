using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Smtp.Core.Client.Internal;

/// <summary>
/// One TCP connection as a pair of pipes, with the TLS upgrade in the middle. Knows nothing about SMTP beyond
/// the rule that no byte may be waiting when TLS starts.
/// </summary>
internal sealed class SmtpTransport : IAsyncDisposable
{
    private readonly Socket? _socket;
    private Stream _stream;

    private SmtpTransport(Socket? socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
        (Input, Output) = CreatePipes(stream);
    }

    /// <summary>Replies from the server.</summary>
    public PipeReader Input { get; private set; }

    /// <summary>Commands and data to the server.</summary>
    public PipeWriter Output { get; private set; }

    /// <summary>The TLS stream once secured, else <see langword="null"/>.</summary>
    public SslStream? Tls => _stream as SslStream;

    /// <summary>Opens a TCP connection to the host and port.</summary>
    public static async Task<SmtpTransport> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new SmtpTransport(socket, new NetworkStream(socket, ownsSocket: false));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Wraps an already connected stream (tests, in-process transports).</summary>
    public static SmtpTransport FromStream(Stream stream) => new(null, stream);

    /// <summary>
    /// Runs the TLS handshake on the raw stream and replaces both pipes with ones over the encrypted stream.
    /// </summary>
    /// <exception cref="SmtpSecurityException">
    /// Bytes were already waiting in the input (RFC 3207 §4.2 and the reverse of CVE-2011-0411: anything a server
    /// sends after its 220 and before the handshake could be taken for a reply inside the secured session), or the
    /// handshake or certificate validation failed.
    /// </exception>
    public async Task UpgradeToTlsAsync(SslClientAuthenticationOptions options, CancellationToken cancellationToken)
    {
        // Whatever the pipe already holds arrived in plain text after the 220: refuse it rather than discard it, so a
        // server (or an attacker in the path) that injects replies is detected instead of silently tolerated.
        if (Input.TryRead(out var pending))
        {
            long waiting = pending.Buffer.Length;
            Input.AdvanceTo(pending.Buffer.Start);
            if (waiting > 0 || pending.IsCompleted)
            {
                throw new SmtpSecurityException(waiting > 0
                    ? $"The server sent {waiting} byte(s) after its reply to STARTTLS, before the TLS handshake; refusing to go on."
                    : "The server closed the connection before the TLS handshake.");
            }
        }

        await Input.CompleteAsync().ConfigureAwait(false);
        await Output.CompleteAsync().ConfigureAwait(false);
        await StartTlsAsync(options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the TLS handshake straight away (implicit TLS, RFC 8314 §3.3).</summary>
    public async Task StartImplicitTlsAsync(SslClientAuthenticationOptions options, CancellationToken cancellationToken)
    {
        await Input.CompleteAsync().ConfigureAwait(false);
        await Output.CompleteAsync().ConfigureAwait(false);
        await StartTlsAsync(options, cancellationToken).ConfigureAwait(false);
    }

    private async Task StartTlsAsync(SslClientAuthenticationOptions options, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new SmtpSecurityException($"The TLS handshake with {options.TargetHost} failed: {e.Message}", e);
        }

        _stream = ssl;
        (Input, Output) = CreatePipes(ssl);
    }

    private static (PipeReader, PipeWriter) CreatePipes(Stream stream)
        => (PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 8192, minimumReadSize: 1024, leaveOpen: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 8192, leaveOpen: true)));

    /// <summary>Closes the connection at once (after a protocol failure no graceful QUIT is attempted).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Input.CompleteAsync().ConfigureAwait(false);
            await Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // The peer may already be gone; closing must not throw.
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket?.Dispose();
    }
}
