using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Smtp.Core.Protocol;

namespace Smtp.Core.Benchmarks.Protocol;

/// <summary>Parsing a 10-line EHLO reply and writing replies: all expected to allocate 0 B.</summary>
[MemoryDiagnoser]
public class ReplyParsingBenchmarks
{
    private static readonly string[] Keywords =
        ["PIPELINING", "SIZE 52428800", "ETRN", "STARTTLS", "AUTH PLAIN LOGIN", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "CHUNKING"];

    private readonly SmtpReply _reply = new(550, "5.7.1", "Message rejected\nSee https://example.org/policy");
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private ReadOnlySequence<byte> _ehlo;

    /// <summary>Renders the EHLO reply once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _ehlo = new ReadOnlySequence<byte>(SmtpReplyWriter.RenderEhlo("mx.example.org", "Hello client [192.0.2.1]", Keywords));
        if (Encoding.ASCII.GetString(_ehlo.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length != 10)
        {
            throw new InvalidOperationException("The EHLO reply must have 10 lines.");
        }
    }

    /// <summary>Parse the reply and enumerate its keywords, checking for one.</summary>
    [Benchmark]
    public int Parse_ehlo_and_enumerate_keywords()
    {
        int found = 0;
        if (SmtpReplyParser.Default.TryParse(_ehlo, out SmtpReplyView reply, out _) == SmtpReplyParseStatus.Success)
        {
            foreach (SmtpEhloKeyword keyword in reply.GetEhloKeywords())
            {
                found += keyword.Is("CHUNKING"u8) ? 1 : 0;
            }
        }

        return found;
    }

    /// <summary>Write a two-line reply with enhanced codes.</summary>
    [Benchmark]
    public int Write_reply()
    {
        _output.ResetWrittenCount();
        SmtpReplyWriter.Write(_output, _reply);
        return _output.WrittenCount;
    }

    /// <summary>Write a 10-line EHLO reply.</summary>
    [Benchmark]
    public int Write_ehlo()
    {
        _output.ResetWrittenCount();
        SmtpReplyWriter.WriteEhlo(_output, "mx.example.org", "Hello client [192.0.2.1]", Keywords);
        return _output.WrittenCount;
    }
}
