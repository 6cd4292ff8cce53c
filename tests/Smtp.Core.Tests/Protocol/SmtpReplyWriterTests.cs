using System.Buffers;
using System.Text;
using Smtp.Core.Protocol;

namespace Smtp.Core.Tests.Protocol;

public class SmtpReplyWriterTests
{
    private static string Written(SmtpReply reply)
    {
        var output = new ArrayBufferWriter<byte>();
        SmtpReplyWriter.Write(output, reply);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Test]
    public void Single_line_reply_with_enhanced_code()
        => Assert.That(Written(new SmtpReply(250, "2.1.0", "Sender OK")), Is.EqualTo("250 2.1.0 Sender OK\r\n"));

    [Test]
    public void Single_line_reply_without_enhanced_code()
        => Assert.That(Written(new SmtpReply(354, null, "End data with <CR><LF>.<CR><LF>")), Is.EqualTo("354 End data with <CR><LF>.<CR><LF>\r\n"));

    [Test]
    public void Multi_line_reply_repeats_code_and_enhanced_code_on_every_line()
        => Assert.That(Written(new SmtpReply(550, "5.7.1", "Rejected\nSee policy")), Is.EqualTo("550-5.7.1 Rejected\r\n550 5.7.1 See policy\r\n"));

    [Test]
    public void Empty_text_writes_the_code_alone()
    {
        Assert.That(Written(new SmtpReply(250, null, string.Empty)), Is.EqualTo("250\r\n"));
        Assert.That(Written(new SmtpReply(250, "2.0.0", string.Empty)), Is.EqualTo("250 2.0.0\r\n"));
    }

    [Test]
    public void Utf8_text_is_written_as_utf8()
        => Assert.That(Written(new SmtpReply(250, null, "Grüße")), Is.EqualTo("250 Grüße\r\n"));

    [TestCase(199, null, "x")]
    [TestCase(600, null, "x")]
    [TestCase(250, "5.0.0", "x")]
    [TestCase(250, "2.0", "x")]
    [TestCase(250, "2..0", "x")]
    [TestCase(250, "2.0.0000", "x")]
    [TestCase(250, "2.a.0", "x")]
    [TestCase(354, "3.0.0", "x")]
    [TestCase(250, null, "a\rb")]
    [TestCase(250, null, "a\r\n250 forged")]
    [TestCase(250, null, "a\0b")]
    public void Invalid_reply_throws_and_writes_nothing(int code, string? enhanced, string text)
    {
        var output = new ArrayBufferWriter<byte>();
        var reply = new SmtpReply(code, enhanced, text);
        Assert.That(() => SmtpReplyWriter.Write(output, reply), Throws.ArgumentException);
        Assert.That(output.WrittenCount, Is.Zero);
        Assert.That(SmtpReplyWriter.IsValid(reply), Is.False);
    }

    [Test]
    public void Ehlo_reply_has_greeting_line_and_keyword_lines_without_enhanced_codes()
    {
        var output = new ArrayBufferWriter<byte>();
        SmtpReplyWriter.WriteEhlo(output, "mx.example.org", "Hello", "PIPELINING", "SIZE 1000", "8BITMIME");
        Assert.That(Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo(
            "250-mx.example.org Hello\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n"));
        Assert.That(SmtpReplyWriter.RenderEhlo("mx.example.org", "Hello", "PIPELINING", "SIZE 1000", "8BITMIME"), Is.EqualTo(output.WrittenSpan.ToArray()));
    }

    [Test]
    public void Ehlo_reply_without_keywords_is_one_line()
        => Assert.That(Encoding.ASCII.GetString(SmtpReplyWriter.RenderEhlo("mx", null)), Is.EqualTo("250 mx\r\n"));

    [Test]
    public void Ehlo_keyword_with_line_break_is_refused()
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.That(() => SmtpReplyWriter.WriteEhlo(output, "mx", null, "SIZE\r\n250 forged"), Throws.ArgumentException);
        Assert.That(() => SmtpReplyWriter.WriteEhlo(output, "m\nx", null), Throws.ArgumentException);
        Assert.That(output.WrittenCount, Is.Zero);
    }

    [Test]
    public void Writing_a_reply_and_an_ehlo_list_allocates_nothing()
    {
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        var reply = new SmtpReply(550, "5.7.1", "Rejected\nSee policy");
        string[] keywords = ["PIPELINING", "SIZE 1000", "8BITMIME", "STARTTLS"];
        SmtpReplyWriter.Write(output, reply);
        SmtpReplyWriter.WriteEhlo(output, "mx.example.org", "Hello", keywords);
        output.ResetWrittenCount();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            SmtpReplyWriter.Write(output, reply);
        }

        long reply50 = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            SmtpReplyWriter.WriteEhlo(output, "mx.example.org", "Hello", keywords);
        }

        long ehlo50 = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That((reply50, ehlo50), Is.EqualTo((0L, 0L)));
    }
}
