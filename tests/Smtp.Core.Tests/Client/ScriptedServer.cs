using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Smtp.Core.Tests.Client;

/// <summary>
/// An in-process SMTP server that follows a script, for hostile and edge-case behaviour that real servers will not
/// produce. Listens on 127.0.0.1 on a free port; each accepted connection runs the script; everything the client
/// sends is recorded.
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<ScriptedSession, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _sessions = [];
    private readonly Task _accept;
    private int _connections;
    private int _active;
    private int _maxActive;

    public ScriptedServer(Func<ScriptedSession, Task> script, bool implicitTls = false)
    {
        _script = script;
        ImplicitTls = implicitTls;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public bool ImplicitTls { get; }

    /// <summary>Every session's failure, if its script threw (assertions inside scripts surface here).</summary>
    public List<Exception> Failures { get; } = [];

    public List<ScriptedSession> Sessions { get; } = [];

    public int Connections => Volatile.Read(ref _connections);

    public int MaxConcurrentConnections => Volatile.Read(ref _maxActive);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            int active = Interlocked.Increment(ref _active);
            int seen;
            while ((seen = Volatile.Read(ref _maxActive)) < active && Interlocked.CompareExchange(ref _maxActive, active, seen) != seen)
            {
            }

            var session = new ScriptedSession(socket, _stop.Token);
            lock (Sessions)
            {
                Sessions.Add(session);
            }

            _sessions.Add(Task.Run(async () =>
            {
                try
                {
                    if (ImplicitTls)
                    {
                        await session.UpgradeToTlsAsync();
                    }

                    await _script(session);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // The client went away; scripts that care assert on the transcript instead.
                }
                catch (Exception e)
                {
                    lock (Failures)
                    {
                        Failures.Add(e);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref _active);
                    await session.DisposeAsync();
                }
            }));
        }
    }

    /// <summary>Waits for every session's script to end, then rethrows the first failure of any script.</summary>
    public async Task CompleteAsync(TimeSpan? timeout = null)
    {
        Task[] all;
        lock (Sessions)
        {
            all = [.. _sessions];
        }

        await Task.WhenAll(all).WaitAsync(timeout ?? TimeSpan.FromSeconds(20));
        lock (Failures)
        {
            if (Failures.Count > 0)
            {
                throw new AssertionException("The scripted server's script failed: " + Failures[0]);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accept.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        lock (Sessions)
        {
            foreach (var s in Sessions)
            {
                s.Abort();
            }
        }

        try
        {
            await Task.WhenAll(_sessions).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        _stop.Dispose();
    }
}

/// <summary>One scripted connection: send raw text, read command lines or raw bytes, all with timeouts.</summary>
internal sealed class ScriptedSession : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly CancellationToken _stop;
    private Stream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private readonly MemoryStream _received = new();

    public ScriptedSession(Socket socket, CancellationToken stop)
    {
        _socket = socket;
        _stop = stop;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Every command line the client sent, in order (data and BDAT bytes excluded).</summary>
    public List<string> Commands { get; } = [];

    /// <summary>Every byte the client sent, in order (in plain text and after TLS alike).</summary>
    public byte[] Received
    {
        get
        {
            lock (_received)
            {
                return _received.ToArray();
            }
        }
    }

    public bool IsSecure => _stream is SslStream;

    public async Task SendAsync(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        await _stream.WriteAsync(bytes, _stop);
        await _stream.FlushAsync(_stop);
    }

    /// <summary>Reads one CRLF-terminated line (without CRLF); null when the client closed the connection.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop);
        cts.CancelAfter(timeout ?? ReadTimeout);
        while (true)
        {
            int lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                string line = Encoding.UTF8.GetString(_buffer, _start, lf - _start).TrimEnd('\r');
                _start = lf + 1;
                Commands.Add(line);
                return line;
            }

            try
            {
                if (!await FillAsync(cts.Token))
                {
                    return null;
                }
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                // A script waiting in vain is a failed expectation, not a client that went away.
                throw new AssertionException($"The client sent no complete line within the timeout; commands so far: {string.Join(" | ", Commands)}");
            }
        }
    }

    /// <summary>Reads a command line and checks that it starts with the expected verb (case-insensitive).</summary>
    public async Task<string> ExpectAsync(string prefix)
    {
        string? line = await ReadLineAsync();
        if (line is null || !line.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            throw new AssertionException($"Expected a command starting with '{prefix}', got '{line ?? "<closed>"}'.");
        }

        return line;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes (a BDAT chunk).</summary>
    public async Task<byte[]> ReadBytesAsync(int count)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop);
        cts.CancelAfter(ReadTimeout);
        var result = new byte[count];
        int got = 0;
        while (got < count)
        {
            if (_end == _start && !await FillAsync(cts.Token))
            {
                throw new EndOfStreamException("The client closed the connection inside a BDAT chunk.");
            }

            int n = Math.Min(count - got, _end - _start);
            Array.Copy(_buffer, _start, result, got, n);
            _start += n;
            got += n;
        }

        return result;
    }

    /// <summary>Reads DATA content up to and including CRLF.CRLF; returns the raw (still dot-stuffed) bytes before it.</summary>
    public async Task<byte[]> ReadDataAsync()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop);
        cts.CancelAfter(ReadTimeout);
        var data = new MemoryStream();
        while (true)
        {
            for (int i = _start; i < _end; i++)
            {
                data.WriteByte(_buffer[i]);
                if (data.Length >= 3 && EndsWith(data, "\r\n.\r\n"u8) || data.Length == 3 && EndsWith(data, ".\r\n"u8))
                {
                    _start = i + 1;
                    byte[] all = data.ToArray();
                    int cut = all.Length == 3 ? 0 : all.Length - 3;
                    return all[..cut];
                }
            }

            _start = _end;
            if (!await FillAsync(cts.Token))
            {
                throw new EndOfStreamException("The client closed the connection inside DATA.");
            }
        }
    }

    private static bool EndsWith(MemoryStream data, ReadOnlySpan<byte> tail)
        => data.Length >= tail.Length && data.GetBuffer().AsSpan((int)data.Length - tail.Length, tail.Length).SequenceEqual(tail);

    /// <summary>Whether the client sends anything more within the time (false also when it closes).</summary>
    public async Task<bool> ClientSendsMoreAsync(TimeSpan within)
    {
        if (_end > _start)
        {
            return true;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop);
        cts.CancelAfter(within);
        try
        {
            return await FillAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<bool> FillAsync(CancellationToken token)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        int n;
        try
        {
            n = await _stream.ReadAsync(_buffer.AsMemory(_end), token);
        }
        catch (IOException)
        {
            return false;
        }

        lock (_received)
        {
            _received.Write(_buffer, _end, n);
        }

        _end += n;
        return n > 0;
    }

    /// <summary>Runs the server side of a TLS handshake with the test certificate.</summary>
    public async Task UpgradeToTlsAsync()
    {
        if (_end > _start)
        {
            throw new AssertionException("The client sent bytes before the TLS handshake.");
        }

        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop);
        cts.CancelAfter(ReadTimeout);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = TestCertificate.Instance }, cts.Token);
        _stream = ssl;
    }

    /// <summary>Closes the connection (the server hangs up).</summary>
    public void Close()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        _stream.Dispose();
    }

    public void Abort() => _stream.Dispose();

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();

    /// <summary>The common EHLO answer: the keywords given, one per line.</summary>
    public Task SendEhloAsync(params string[] keywords)
    {
        var sb = new StringBuilder();
        sb.Append(keywords.Length == 0 ? "250 scripted.test\r\n" : "250-scripted.test\r\n");
        for (int i = 0; i < keywords.Length; i++)
        {
            sb.Append(i == keywords.Length - 1 ? "250 " : "250-").Append(keywords[i]).Append("\r\n");
        }

        return SendAsync(sb.ToString());
    }
}
