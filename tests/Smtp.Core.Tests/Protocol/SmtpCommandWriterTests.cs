using System.Buffers;
using System.Text;
using Smtp.Core.Protocol;

namespace Smtp.Core.Tests.Protocol;

public class SmtpCommandWriterTests
{
    private static string Written(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static void AssertRefused(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.That(() => write(output), Throws.InstanceOf<ArgumentException>());
        Assert.That(output.WrittenCount, Is.Zero, "nothing is written before validation");
    }

    private static KeyValuePair<string, string?> P(string key, string? value) => new(key, value);

    [Test]
    public void Greetings_are_written()
    {
        Assert.That(Written(o => SmtpCommandWriter.WriteEhlo(o, "client.example.org")), Is.EqualTo("EHLO client.example.org\r\n"));
        Assert.That(Written(o => SmtpCommandWriter.WriteHelo(o, "[192.0.2.1]")), Is.EqualTo("HELO [192.0.2.1]\r\n"));
        Assert.That(Written(o => SmtpCommandWriter.WriteLhlo(o, "c")), Is.EqualTo("LHLO c\r\n"));
    }

    [Test]
    public void Mail_from_with_parameters_encodes_auth_and_envid_as_xtext()
        => Assert.That(
            Written(o => SmtpCommandWriter.WriteMailFrom(o, "a@example.org", P("SIZE", "1000"), P("BODY", "8BITMIME"), P("SMTPUTF8", null), P("ENVID", "id+1=2 x"), P("AUTH", "<>"))),
            Is.EqualTo("MAIL FROM:<a@example.org> SIZE=1000 BODY=8BITMIME SMTPUTF8 ENVID=id+2B1+3D2+20x AUTH=<>\r\n"));

    [Test]
    public void Null_reverse_path_is_written_as_empty_brackets()
        => Assert.That(Written(o => SmtpCommandWriter.WriteMailFrom(o, string.Empty)), Is.EqualTo("MAIL FROM:<>\r\n"));

    [Test]
    public void Rcpt_to_with_notify_and_orcpt()
        => Assert.That(
            Written(o => SmtpCommandWriter.WriteRcptTo(o, "b@example.org", P("NOTIFY", "SUCCESS,FAILURE"), P("ORCPT", "rfc822;b+tag@example.org"))),
            Is.EqualTo("RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2Btag@example.org\r\n"));

    [Test]
    public void Quoted_local_part_may_hold_a_space()
        => Assert.That(Written(o => SmtpCommandWriter.WriteRcptTo(o, "\"a b\"@example.org")), Is.EqualTo("RCPT TO:<\"a b\"@example.org>\r\n"));

    [Test]
    public void Simple_commands_are_written()
    {
        Assert.That(Written(SmtpCommandWriter.WriteData), Is.EqualTo("DATA\r\n"));
        Assert.That(Written(SmtpCommandWriter.WriteRset), Is.EqualTo("RSET\r\n"));
        Assert.That(Written(SmtpCommandWriter.WriteNoop), Is.EqualTo("NOOP\r\n"));
        Assert.That(Written(SmtpCommandWriter.WriteQuit), Is.EqualTo("QUIT\r\n"));
        Assert.That(Written(SmtpCommandWriter.WriteStartTls), Is.EqualTo("STARTTLS\r\n"));
        Assert.That(Written(SmtpCommandWriter.WriteAuthCancel), Is.EqualTo("*\r\n"));
        Assert.That(Written(o => SmtpCommandWriter.WriteVrfy(o, "postmaster")), Is.EqualTo("VRFY postmaster\r\n"));
        Assert.That(Written(o => SmtpCommandWriter.WriteBdat(o, 1048576, last: false)), Is.EqualTo("BDAT 1048576\r\n"));
        Assert.That(Written(o => SmtpCommandWriter.WriteBdat(o, 0, last: true)), Is.EqualTo("BDAT 0 LAST\r\n"));
    }

    [Test]
    public void Auth_writes_base64_initial_response_and_equals_for_an_empty_one()
    {
        Assert.That(Written(o => SmtpCommandWriter.WriteAuth(o, "PLAIN", "\0user\0pass"u8)), Is.EqualTo("AUTH PLAIN AHVzZXIAcGFzcw==\r\n"));
        Assert.That(Written(o => SmtpCommandWriter.WriteAuth(o, "EXTERNAL", ReadOnlySpan<byte>.Empty)), Is.EqualTo("AUTH EXTERNAL =\r\n"));
        Assert.That(Written(o => SmtpCommandWriter.WriteAuth(o, "LOGIN")), Is.EqualTo("AUTH LOGIN\r\n"));
        Assert.That(Written(o => SmtpCommandWriter.WriteAuthResponse(o, "user"u8)), Is.EqualTo("dXNlcg==\r\n"));
        Assert.That(Written(o => SmtpCommandWriter.WriteAuthResponse(o, ReadOnlySpan<byte>.Empty)), Is.EqualTo("\r\n"));
    }

    [Test]
    public void Framing_breaking_text_is_refused_before_anything_is_written()
    {
        AssertRefused(o => SmtpCommandWriter.WriteEhlo(o, "a\r\nRSET"));
        AssertRefused(o => SmtpCommandWriter.WriteEhlo(o, "a b"));
        AssertRefused(o => SmtpCommandWriter.WriteHelo(o, string.Empty));
        AssertRefused(o => SmtpCommandWriter.WriteMailFrom(o, "a@b>\r\nRCPT TO:<x@y"));
        AssertRefused(o => SmtpCommandWriter.WriteMailFrom(o, "a@b> SIZE=1"));
        AssertRefused(o => SmtpCommandWriter.WriteMailFrom(o, "a\0@b"));
        AssertRefused(o => SmtpCommandWriter.WriteMailFrom(o, "\"unterminated@b"));
        AssertRefused(o => SmtpCommandWriter.WriteRcptTo(o, string.Empty));
        AssertRefused(o => SmtpCommandWriter.WriteRcptTo(o, "a@b", P("NOTIFY", "NEVER\r\nQUIT")));
        AssertRefused(o => SmtpCommandWriter.WriteRcptTo(o, "a@b", P("NOTIFY", "A B")));
        AssertRefused(o => SmtpCommandWriter.WriteRcptTo(o, "a@b", P("NO TIFY", "NEVER")));
        AssertRefused(o => SmtpCommandWriter.WriteRcptTo(o, "a@b", P("-X", null)));
        AssertRefused(o => SmtpCommandWriter.WriteVrfy(o, "x\ny"));
        AssertRefused(o => SmtpCommandWriter.WriteAuth(o, "PLAIN\r\n"));
        AssertRefused(o => SmtpCommandWriter.WriteAuth(o, "plain"));
    }

    [Test]
    public void Xtext_parameter_with_line_break_is_encoded_not_refused()
        => Assert.That(Written(o => SmtpCommandWriter.WriteRcptTo(o, "a@b", P("ORCPT", "rfc822;a\r\n@b"))), Is.EqualTo("RCPT TO:<a@b> ORCPT=rfc822;a+0D+0A@b\r\n"));
}
