using System.Buffers;
using BenchmarkDotNet.Attributes;
using Smtp.Core.Protocol;

namespace Smtp.Core.Benchmarks.Protocol;

/// <summary>
/// Framing plus parsing of one command line from a <see cref="ReadOnlySequence{T}"/>, as the server does per
/// command. The baseline only finds the CRLF, to show what the grammar checks cost on top.
/// </summary>
[MemoryDiagnoser]
public class CommandParsingBenchmarks
{
    private static readonly ReadOnlySequence<byte> Ehlo = new("EHLO client.example.org\r\n"u8.ToArray());
    private static readonly ReadOnlySequence<byte> Helo = new("HELO client.example.org\r\n"u8.ToArray());
    private static readonly ReadOnlySequence<byte> Mail = new("MAIL FROM:<a@b.example> SIZE=12345 BODY=8BITMIME\r\n"u8.ToArray());
    private static readonly ReadOnlySequence<byte> Rcpt = new("RCPT TO:<recipient@d.example>\r\n"u8.ToArray());
    private static readonly ReadOnlySequence<byte> RcptDsn = new("RCPT TO:<recipient@d.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;recipient@d.example\r\n"u8.ToArray());
    private static readonly ReadOnlySequence<byte> MailSplit = TwoSegments("MAIL FROM:<a@b.example> SIZE=12345 BODY=8BITMIME\r\n"u8.ToArray(), 20);
    private static readonly ReadOnlySequence<byte> Data = new("DATA\r\n"u8.ToArray());
    private static readonly ReadOnlySequence<byte> Rset = new("RSET\r\n"u8.ToArray());
    private static readonly ReadOnlySequence<byte> Quit = new("QUIT\r\n"u8.ToArray());

    /// <summary>Only locates the line end of the MAIL line (no limit, no grammar).</summary>
    [Benchmark(Baseline = true)]
    public long FindCrlfOnly()
    {
        var reader = new SequenceReader<byte>(Mail);
        return reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8) ? line.Length : -1;
    }

    [Benchmark]
    public int EhloCommand() => FrameAndParse(Ehlo);

    [Benchmark]
    public int HeloCommand() => FrameAndParse(Helo);

    [Benchmark]
    public int MailWithParameters() => FrameAndParse(Mail);

    /// <summary>The same MAIL line arriving in two segments: the parser copies it into the scratch buffer.</summary>
    [Benchmark]
    public int MailWithParametersSplitAcrossSegments() => FrameAndParse(MailSplit);

    [Benchmark]
    public int RcptCommand() => FrameAndParse(Rcpt);

    [Benchmark]
    public int RcptWithNotifyAndOrcpt() => FrameAndParse(RcptDsn);

    [Benchmark]
    public int DataCommand() => FrameAndParse(Data);

    [Benchmark]
    public int RsetCommand() => FrameAndParse(Rset);

    [Benchmark]
    public int QuitCommand() => FrameAndParse(Quit);

    // A per-connection buffer, as the server keeps one; used only when a line crosses segments.
    private readonly byte[] _scratch = new byte[SmtpLineFramer.DefaultMaxLineLength];

    private int FrameAndParse(in ReadOnlySequence<byte> buffer)
    {
        var framer = new SmtpLineFramer();
        var reader = new SequenceReader<byte>(buffer);
        if (framer.TryReadLine(ref reader, out ReadOnlySequence<byte> line) != SmtpLineStatus.Line)
        {
            return -1;
        }

        SmtpReason reason = SmtpCommandParser.Parse(line, _scratch, SmtpParseOptions.None, out SmtpCommand command);
        return ((int)command.Verb << 8) | (int)reason;
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] data, int cut)
    {
        var first = new Segment(data.AsMemory(0, cut), 0);
        var second = new Segment(data.AsMemory(cut), cut);
        first.SetNext(second);
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
