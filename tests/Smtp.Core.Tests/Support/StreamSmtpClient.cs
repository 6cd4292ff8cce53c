using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Smtp.Core.Tests.Support;

/// <summary>
/// A minimal SMTP client over any <see cref="Stream"/> (an in-memory pipe seen as a stream, or a socket) that can
/// switch to TLS in the middle, for the STARTTLS and implicit-TLS tests. Every read gives up after 10 seconds.
/// </summary>
internal sealed class StreamSmtpClient : IAsyncDisposable
{
    private static readonly TimeSpan s_readTimeout = TimeSpan.FromSeconds(10);
    private readonly byte[] _buffer = new byte[16384];
    private int _start;
    private int _end;

    public StreamSmtpClient(Stream stream) => Stream = stream;

    /// <summary>The stream the client talks over now (an <see cref="SslStream"/> after <see cref="StartTlsAsync"/>).</summary>
    public Stream Stream { get; private set; }

    /// <summary>The TLS stream, once established.</summary>
    public SslStream? Tls { get; private set; }

    /// <summary>The certificate the server presented.</summary>
    public X509Certificate? ServerCertificate => Tls?.RemoteCertificate;

    public async Task SendAsync(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        await Stream.WriteAsync(bytes);
        await Stream.FlushAsync();
    }

    public async Task SendBytesAsync(byte[] bytes)
    {
        await Stream.WriteAsync(bytes);
        await Stream.FlushAsync();
    }

    /// <summary>Reads one line without CRLF, or null when the server closed.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(s_readTimeout);
        while (true)
        {
            int lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf > _start && _buffer[lf - 1] == (byte)'\r')
            {
                string line = Encoding.UTF8.GetString(_buffer, _start, lf - 1 - _start);
                _start = lf + 1;
                return line;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            int read;
            try
            {
                read = await Stream.ReadAsync(_buffer.AsMemory(_end), timeout.Token);
            }
            catch (IOException)
            {
                return null;
            }

            if (read == 0)
            {
                return _end == _start ? null : throw new InvalidOperationException("Unterminated reply");
            }

            _end += read;
        }
    }

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

    public async Task<string> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    public async Task<bool> ServerClosedAsync() => await ReadLineAsync() is null;

    /// <summary>Runs the client side of a TLS handshake over the current stream (after a 220 to STARTTLS, or at once for implicit TLS).</summary>
    public async Task StartTlsAsync(string? serverName = "localhost", X509Certificate2? clientCertificate = null, SslProtocols protocols = SslProtocols.None)
    {
        if (_end != _start)
        {
            throw new InvalidOperationException("Unread plaintext before the handshake.");
        }

        var ssl = new SslStream(Stream, leaveInnerStreamOpen: true);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = serverName ?? string.Empty,
            EnabledSslProtocols = protocols,
            // The test certificates are self-signed; the tests check which one was presented.
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (clientCertificate is not null)
        {
            options.ClientCertificates = [clientCertificate];
            options.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        using var timeout = new CancellationTokenSource(s_readTimeout);
        await ssl.AuthenticateAsClientAsync(options, timeout.Token);
        Tls = ssl;
        Stream = ssl;
    }

    public async ValueTask DisposeAsync()
    {
        if (Tls is not null)
        {
            await Tls.DisposeAsync();
        }
    }
}
