using System.Buffers;
using System.Text;
using Smtp.Core.Protocol;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Protocol;

public class SmtpReplyParserTests
{
    private const string Ehlo =
        "250-mx.example.org Hello client [192.0.2.1]\r\n" +
        "250-PIPELINING\r\n" +
        "250-SIZE 52428800\r\n" +
        "250-ETRN\r\n" +
        "250-STARTTLS\r\n" +
        "250-AUTH PLAIN LOGIN\r\n" +
        "250-ENHANCEDSTATUSCODES\r\n" +
        "250-8BITMIME\r\n" +
        "250-DSN\r\n" +
        "250 CHUNKING\r\n";

    private static void AssertParses(string input, int consumedLength, Action<SmtpReplyView> check, SmtpReplyParser? parser = null)
    {
        parser ??= SmtpReplyParser.Default;
        foreach (var (shape, seq) in Segments.AllShapes(input))
        {
            SmtpReplyParseStatus status = parser.TryParse(seq, out SmtpReplyView reply, out SequencePosition consumed);
            Assert.That(status, Is.EqualTo(SmtpReplyParseStatus.Success), shape);
            Assert.That(seq.Slice(0, consumed).Length, Is.EqualTo(consumedLength), shape);
            check(reply);
        }
    }

    private static void AssertFails(string input, SmtpReplyParseStatus expected, SmtpReplyParser? parser = null)
    {
        parser ??= SmtpReplyParser.Default;
        foreach (var (shape, seq) in Segments.AllShapes(input))
        {
            SmtpReplyParseStatus status = parser.TryParse(seq, out _, out SequencePosition consumed);
            Assert.That(status, Is.EqualTo(expected), shape);
            Assert.That(consumed, Is.EqualTo(seq.Start), $"{shape}: nothing is consumed");
        }
    }

    [Test]
    public void Single_line_reply_is_parsed_and_consumed()
        => AssertParses("250 OK\r\n", 8, r =>
        {
            Assert.That(r.Code, Is.EqualTo(250));
            Assert.That(r.LineCount, Is.EqualTo(1));
            Assert.That(r.EnhancedCode, Is.Null);
            Assert.That(r.ToReply(), Is.EqualTo(new SmtpReply(250, null, "OK")));
        });

    [Test]
    public void Code_alone_is_a_reply_with_empty_text()
        => AssertParses("354\r\n", 5, r => Assert.That(r.ToReply(), Is.EqualTo(new SmtpReply(354, null, string.Empty))));

    [Test]
    public void Only_the_first_reply_is_consumed_when_several_are_buffered()
        => AssertParses("250 OK\r\n354 go ahead\r\n", 8, r => Assert.That(r.Code, Is.EqualTo(250)));

    [Test]
    public void Multi_line_reply_with_enhanced_codes_is_materialised_without_them()
        => AssertParses("550-5.1.1 No such user\r\n550 5.1.1 here\r\n", 40, r =>
        {
            Assert.That(r.Code, Is.EqualTo(550));
            Assert.That(r.LineCount, Is.EqualTo(2));
            Assert.That(r.EnhancedCode, Is.EqualTo(new SmtpEnhancedStatusCode(5, 1, 1)));
            Assert.That(r.ToReply(), Is.EqualTo(new SmtpReply(550, "5.1.1", "No such user\nhere")));
        });

    [Test]
    public void Enhanced_code_alone_on_the_line_is_recognised()
        => AssertParses("250 2.0.0\r\n", 11, r => Assert.That(r.ToReply(), Is.EqualTo(new SmtpReply(250, "2.0.0", string.Empty))));

    [Test]
    public void Enhanced_code_of_another_class_is_text()
        => AssertParses("250 5.1.1 odd\r\n", 15, r =>
        {
            Assert.That(r.EnhancedCode, Is.Null);
            Assert.That(r.ToReply().Text, Is.EqualTo("5.1.1 odd"));
        });

    [Test]
    public void Ehlo_reply_enumerates_keywords_and_parameters()
        => AssertParses(Ehlo, Ehlo.Length, r =>
        {
            Assert.That(r.LineCount, Is.EqualTo(10));
            var seen = new List<string>();
            bool size = false;
            foreach (SmtpEhloKeyword k in r.GetEhloKeywords())
            {
                seen.Add(k.GetKeywordString() + "|" + k.GetParametersString());
                if (k.Is("size"u8))
                {
                    size = Encoding.ASCII.GetString(k.Parameters) == "52428800";
                }
            }

            Assert.That(seen, Is.EqualTo(new[]
            {
                "PIPELINING|", "SIZE|52428800", "ETRN|", "STARTTLS|", "AUTH|PLAIN LOGIN", "ENHANCEDSTATUSCODES|",
                "8BITMIME|", "DSN|", "CHUNKING|",
            }));
            Assert.That(size, Is.True);
            var lines = new List<string>();
            foreach (ReadOnlySequence<byte> line in r.GetLines())
            {
                lines.Add(Encoding.ASCII.GetString(line));
            }

            Assert.That(lines[0], Is.EqualTo("mx.example.org Hello client [192.0.2.1]"));
            Assert.That(lines, Has.Count.EqualTo(10));
        });

    [Test]
    public void Every_proper_prefix_needs_more_data_and_consumes_nothing()
    {
        for (int n = 0; n < Ehlo.Length; n++)
        {
            AssertFails(Ehlo[..n], SmtpReplyParseStatus.NeedMoreData);
        }
    }

    [TestCase("250-a\r\n251 b\r\n")]
    [TestCase("250-a\r\n550 b\r\n")]
    [TestCase("HTTP/1.1 400 Bad\r\n")]
    [TestCase("25 x\r\n")]
    [TestCase("25\r\n")]
    [TestCase("\r\n")]
    [TestCase("250xOK\r\n")]
    [TestCase("250 OK\n")]
    [TestCase("250 O\rK\r\n")]
    [TestCase("250 O\0K\r\n")]
    [TestCase("650 no\r\n")]
    [TestCase("160 no\r\n")]
    [TestCase("2a0 no\r\n")]
    public void Malformed_reply_is_reported_without_consuming(string input)
        => AssertFails(input, SmtpReplyParseStatus.Malformed);

    [Test]
    public void Line_longer_than_512_is_too_long_even_before_its_end_arrives()
    {
        string line = "250 " + new string('x', 507) + "\r\n";
        Assert.That(line, Has.Length.EqualTo(513));
        AssertFails(line, SmtpReplyParseStatus.LineTooLong);
        AssertFails(line[..512], SmtpReplyParseStatus.LineTooLong);
        AssertParses(line[..510] + "\r\n", 512, r => Assert.That(r.Code, Is.EqualTo(250)));
    }

    [Test]
    public void Line_limit_is_configurable()
    {
        var parser = new SmtpReplyParser(maxLineLength: 1000);
        string line = "250 " + new string('x', 900) + "\r\n";
        AssertParses(line, line.Length, r => Assert.That(r.Code, Is.EqualTo(250)), parser);
    }

    [Test]
    public void Too_many_lines_is_reported()
    {
        var parser = new SmtpReplyParser(maxLines: 3);
        AssertFails("250-a\r\n250-b\r\n250-c\r\n250-d\r\n", SmtpReplyParseStatus.TooManyLines, parser);
        AssertParses("250-a\r\n250-b\r\n250 c\r\n", 21, r => Assert.That(r.LineCount, Is.EqualTo(3)), parser);
    }

    [Test]
    public void Default_line_count_limit_is_100()
    {
        string reply = string.Concat(Enumerable.Repeat("250-x\r\n", 100)) + "250 y\r\n";
        Assert.That(SmtpReplyParser.Default.TryParse(Segments.Whole(Encoding.ASCII.GetBytes(reply)), out _, out _), Is.EqualTo(SmtpReplyParseStatus.TooManyLines));
    }

    [Test]
    public void Too_large_in_total_is_reported()
    {
        var parser = new SmtpReplyParser(maxReplySize: 20);
        AssertFails("250-abcdefgh\r\n250 ijklmnop\r\n", SmtpReplyParseStatus.TooLarge, parser);
    }

    [Test]
    public void Parsing_a_multi_line_ehlo_reply_allocates_nothing()
    {
        var seq = Segments.Whole(Encoding.ASCII.GetBytes(Ehlo));
        int count = 0;
        Parse();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Parse();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero);
        Assert.That(count, Is.EqualTo(101 * 9));

        void Parse()
        {
            if (SmtpReplyParser.Default.TryParse(seq, out SmtpReplyView reply, out _) == SmtpReplyParseStatus.Success)
            {
                foreach (SmtpEhloKeyword k in reply.GetEhloKeywords())
                {
                    count += k.Keyword.Length > 0 ? 1 : 0;
                }
            }
        }
    }

    [Test]
    public void Sequence_reader_overload_advances_only_on_success()
    {
        var seq = Segments.Split("250 a\r\n250 b"u8, 3);
        var reader = new SequenceReader<byte>(seq);
        Assert.That(SmtpReplyParser.Default.TryParse(ref reader, out _), Is.EqualTo(SmtpReplyParseStatus.Success));
        Assert.That(reader.Consumed, Is.EqualTo(7));
        Assert.That(SmtpReplyParser.Default.TryParse(ref reader, out _), Is.EqualTo(SmtpReplyParseStatus.NeedMoreData));
        Assert.That(reader.Consumed, Is.EqualTo(7));
    }
}
