using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Smtp.Core.Server;
using Smtp.Core.Storage;

namespace Smtp.Core.Benchmarks.Server;

/// <summary>
/// One 1 KB message (MAIL, RCPT, DATA, body, final dot; the client waits for every reply, as smtp-source does)
/// over a persistent session on in-memory pipes, with the discard store: the session's own cost per message,
/// without sockets or the kernel.
/// </summary>
/// <remarks>
/// Both pipes resume their reader inline, and the store runs inline (<see cref="SmtpServerOptions.RunMessageStoreInline"/>),
/// so every step runs on the benchmark's thread. The baseline answers the
/// same bytes with canned replies after finding each line end (and the end of data): the floor any server pays
/// for reading and answering through these pipes.
/// </remarks>
[MemoryDiagnoser]
public class SessionBenchmarks
{
    private static readonly byte[] s_ehlo = "EHLO client.example\r\n"u8.ToArray();
    private static readonly byte[] s_mail = "MAIL FROM:<sender@example.org>\r\n"u8.ToArray();
    private static readonly byte[] s_rcpt = "RCPT TO:<rcpt@example.com>\r\n"u8.ToArray();
    private static readonly byte[] s_data = "DATA\r\n"u8.ToArray();
    private static readonly byte[] s_body = MakeBody();

    private Pipe _toServer = null!;
    private Pipe _toClient = null!;
    private SmtpServer? _server;
    private Task _running = Task.CompletedTask;

    [GlobalSetup(Target = nameof(CannedReplies))]
    public void StartCannedResponder()
    {
        CreatePipes();
        _running = CannedResponderAsync(_toServer.Reader, _toClient.Writer);
        Handshake();
    }

    [GlobalSetup(Target = nameof(SmtpSession))]
    public void StartSession()
    {
        CreatePipes();
        _server = new SmtpServer(new SmtpServerOptions { ServerName = "mx.example", MessageStore = new DiscardMessageStore(), RunMessageStoreInline = true });
        _running = _server.RunSessionAsync(new DuplexPipe(_toServer.Reader, _toClient.Writer), new IPEndPoint(IPAddress.Loopback, 40000), new IPEndPoint(IPAddress.Loopback, 25));
        Handshake();
    }

    [GlobalCleanup]
    public void Stop()
    {
        _toServer.Writer.Complete();
        _running.GetAwaiter().GetResult();
        _toClient.Reader.Complete();
    }

    [Benchmark(Baseline = true)]
    public int CannedReplies() => Transaction();

    [Benchmark]
    public int SmtpSession() => Transaction();

    private static byte[] MakeBody()
    {
        // About 1,000 octets in the shape smtp-source sends: a few headers, then short lines of digits.
        var text = new StringBuilder("From: <sender@example.org>\r\nTo: <rcpt@example.com>\r\nSubject: benchmark\r\n\r\n");
        while (text.Length < 1000)
        {
            text.Append("0123456789012345678901234567890123456789012345678901234567890123456789\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append(".\r\n").ToString());
    }

    private static async Task CannedResponderAsync(PipeReader input, PipeWriter output)
    {
        output.Write("220 mx.example ESMTP\r\n"u8);
        await output.FlushAsync().ConfigureAwait(false);
        bool inData = false;
        while (true)
        {
            ReadResult read = await input.ReadAsync().ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = read.Buffer;
            while (true)
            {
                // The position after the line's LF, or after the CRLF "." CRLF that ends the message text.
                SequencePosition? next = inData ? AfterEndOfData(buffer) : AfterLine(buffer);
                if (next is null)
                {
                    break;
                }

                bool data = !inData && buffer.Slice(0, next.Value).Length == 6 && buffer.FirstSpan.StartsWith("DATA"u8);
                output.Write(inData ? "250 2.0.0 OK\r\n"u8 : data ? "354 Go ahead\r\n"u8 : "250 2.1.0 OK\r\n"u8);
                inData = data;
                buffer = buffer.Slice(next.Value);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            await output.FlushAsync().ConfigureAwait(false);
            if (read.IsCompleted)
            {
                await input.CompleteAsync().ConfigureAwait(false);
                await output.CompleteAsync().ConfigureAwait(false);
                return;
            }
        }
    }

    private static SequencePosition? AfterLine(ReadOnlySequence<byte> buffer)
        => buffer.PositionOf((byte)'\n') is { } end ? buffer.GetPosition(1, end) : null;

    private static SequencePosition? AfterEndOfData(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n.\r\n"u8) ? reader.Position : null;
    }

    private void CreatePipes()
    {
        var options = new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false);
        _toServer = new Pipe(options);
        _toClient = new Pipe(options);
    }

    private void Handshake()
    {
        ReadReply(); // the greeting
        Send(s_ehlo);
        ReadReply();
    }

    private int Transaction()
    {
        Send(s_mail);
        int length = ReadReply();
        Send(s_rcpt);
        length += ReadReply();
        Send(s_data);
        length += ReadReply();
        Send(s_body);
        return length + ReadReply();
    }

    private void Send(byte[] bytes)
    {
        ValueTask<FlushResult> flush = _toServer.Writer.WriteAsync(bytes);
        if (!flush.IsCompletedSuccessfully)
        {
            flush.AsTask().GetAwaiter().GetResult();
        }
    }

    private int ReadReply()
    {
        // Every step ran inline in Send: the reply is already there.
        if (!_toClient.Reader.TryRead(out ReadResult read) || read.Buffer.IsEmpty)
        {
            throw new InvalidOperationException("No reply: the session did not answer inline.");
        }

        int length = (int)read.Buffer.Length;
        _toClient.Reader.AdvanceTo(read.Buffer.End);
        return length;
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
