using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Smtp.Core.Tests.Support;

/// <summary>
/// A loopback TCP relay between a real SMTP client and the server under test that records both
/// directions. It shows what a client put on the wire when the client builds the message itself
/// (System.Net.Mail adds a Date and MIME boundaries), and gives a transcript for failure messages.
/// </summary>
internal sealed class SmtpWireRecorder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _relays = [];
    private readonly List<Connection> _connections = [];
    private readonly Task _acceptLoop;

    public SmtpWireRecorder(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    /// <summary>Where the client should connect.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>What each client connection sent, in accept order.</summary>
    public IReadOnlyList<byte[]> ClientBytes
    {
        get
        {
            lock (_connections)
            {
                return _connections.Select(c => c.ClientBytes()).ToList();
            }
        }
    }

    /// <summary>Every connection so far as "C: " and "S: " lines, CR and LF made visible.</summary>
    public string Transcript()
    {
        lock (_connections)
        {
            var builder = new StringBuilder();
            for (var i = 0; i < _connections.Count; i++)
            {
                builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"=== connection {i + 1} ===\n");
                builder.Append(_connections[i].Transcript());
            }

            return builder.ToString();
        }
    }

    /// <summary>
    /// The message contents a client sent, read from its side of the conversation. DATA: the lines after
    /// the DATA command up to the lone "." line, with the leading dot of each dot-stuffed line removed
    /// (RFC 5321 §4.5.2); lines end at CRLF only, so a bare LF stays inside a line, as on the wire.
    /// BDAT (RFC 3030): the octets of each chunk, a message ending with the chunk marked LAST.
    /// </summary>
    public static IReadOnlyList<byte[]> DataContents(ReadOnlySpan<byte> clientBytes)
    {
        var contents = new List<byte[]>();
        MemoryStream? current = null;
        var inData = false;
        while (!clientBytes.IsEmpty)
        {
            var end = clientBytes.IndexOf("\r\n"u8);
            if (end < 0)
            {
                break; // an unfinished last line is not part of any message
            }

            var line = clientBytes[..end];
            clientBytes = clientBytes[(end + 2)..];
            if (inData)
            {
                if (line.SequenceEqual("."u8))
                {
                    contents.Add(current!.ToArray());
                    current = null;
                    inData = false;
                }
                else
                {
                    current!.Write(line.Length > 0 && line[0] == (byte)'.' ? line[1..] : line);
                    current.Write("\r\n"u8);
                }

                continue;
            }

            var command = Encoding.ASCII.GetString(line);
            if (command.Equals("DATA", StringComparison.OrdinalIgnoreCase))
            {
                current = new MemoryStream();
                inData = true;
            }
            else if (command.StartsWith("BDAT ", StringComparison.OrdinalIgnoreCase))
            {
                var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var size = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
                if (size > clientBytes.Length)
                {
                    break; // an unfinished chunk
                }

                current ??= new MemoryStream();
                current.Write(clientBytes[..size]);
                clientBytes = clientBytes[size..];
                if (parts.Length > 2 && parts[2].Equals("LAST", StringComparison.OrdinalIgnoreCase))
                {
                    contents.Add(current.ToArray());
                    current = null;
                }
            }
            else if (command.Equals("RSET", StringComparison.OrdinalIgnoreCase))
            {
                current = null; // a transaction abandoned between chunks
            }
        }

        return contents;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        Task[] relays;
        lock (_connections)
        {
            relays = [.. _relays];
        }

        await Task.WhenAll(relays).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var connection = new Connection();
            lock (_connections)
            {
                _connections.Add(connection);
                _relays.Add(RelayAsync(client, connection));
            }
        }
    }

    private async Task RelayAsync(TcpClient client, Connection connection)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
            var clientStream = client.GetStream();
            var serverStream = server.GetStream();
            var up = PumpAsync(clientStream, serverStream, connection, fromClient: true);
            var down = PumpAsync(serverStream, clientStream, connection, fromClient: false);
            await Task.WhenAll(up, down);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            connection.Note($"relay closed: {e.GetType().Name}: {e.Message}");
        }
    }

    private async Task PumpAsync(Stream from, Stream to, Connection connection, bool fromClient)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                connection.Record(fromClient, buffer.AsSpan(0, read));
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        finally
        {
            // Pass the end of stream on, so each side sees the other close.
            connection.Note(fromClient ? "client closed" : "server closed");
            if (to is NetworkStream network)
            {
                try
                {
                    network.Socket.Shutdown(SocketShutdown.Send);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }
            }
        }
    }

    private sealed class Connection
    {
        private readonly Lock _gate = new();
        private readonly MemoryStream _client = new();
        private readonly StringBuilder _transcript = new();
        private bool? _lastFromClient;
        private bool _atLineStart = true;

        public void Record(bool fromClient, ReadOnlySpan<byte> bytes)
        {
            lock (_gate)
            {
                if (fromClient)
                {
                    _client.Write(bytes);
                }

                if (_lastFromClient != fromClient && !_atLineStart)
                {
                    _transcript.Append('\n'); // the other side spoke mid-line
                    _atLineStart = true;
                }

                _lastFromClient = fromClient;
                var prefix = fromClient ? "C: " : "S: ";
                foreach (var line in MaildirAssert.Visible(bytes).Split('\n'))
                {
                    if (line.Length == 0)
                    {
                        continue;
                    }

                    if (_atLineStart)
                    {
                        _transcript.Append(prefix);
                    }

                    _transcript.Append(line);
                    _atLineStart = line.EndsWith("\\n", StringComparison.Ordinal);
                    if (_atLineStart)
                    {
                        _transcript.Append('\n');
                    }
                }
            }
        }

        public void Note(string text)
        {
            lock (_gate)
            {
                _transcript.Append(_atLineStart ? "" : "\n").Append(System.Globalization.CultureInfo.InvariantCulture, $"-- {text}\n");
                _atLineStart = true;
            }
        }

        public byte[] ClientBytes()
        {
            lock (_gate)
            {
                return _client.ToArray();
            }
        }

        public string Transcript()
        {
            lock (_gate)
            {
                return _transcript.ToString();
            }
        }
    }
}
