using System.Text;
using Smtp.Core.Protocol;

namespace Smtp.Core.Tests.Protocol;

public class XtextAndAuthResponseTests
{
    [TestCase("", "")]
    [TestCase("plain", "plain")]
    [TestCase("a+2Bb+3Dc", "a+b=c")]
    [TestCase("a+2bb", "a+b")]
    [TestCase("+E2+82+AC", "\u20ac")]
    public void Valid_xtext_decodes(string xtext, string expected)
    {
        byte[] input = Encoding.ASCII.GetBytes(xtext);
        Assert.That(Xtext.IsValid(input), Is.True);
        Assert.That(Xtext.TryDecodeToString(input, out string? value), Is.True);
        Assert.That(value, Is.EqualTo(expected));
        Span<byte> buffer = stackalloc byte[input.Length];
        Assert.That(Xtext.TryDecode(input, buffer, out int written), Is.True);
        Assert.That(Encoding.UTF8.GetString(buffer[..written]), Is.EqualTo(expected));
        Assert.That(Xtext.GetDecodedLength(input), Is.EqualTo(written));
    }

    [TestCase("a b")]
    [TestCase("a=b")]
    [TestCase("a+")]
    [TestCase("a+4")]
    [TestCase("a+G0")]
    [TestCase("a+0D")]
    [TestCase("a+0A")]
    [TestCase("a+00")]
    [TestCase("\u00e9")]
    public void Invalid_xtext_is_refused(string xtext)
    {
        byte[] input = Encoding.UTF8.GetBytes(xtext);
        Assert.That(Xtext.IsValid(input), Is.False);
        Assert.That(Xtext.TryDecodeToString(input, out string? value), Is.False);
        Assert.That(value, Is.Null);
        Assert.That(Xtext.GetDecodedLength(input), Is.EqualTo(-1));
    }

    [Test]
    public void Xtext_decode_into_a_short_buffer_fails_without_writing_past_it()
    {
        Span<byte> buffer = stackalloc byte[2];
        Assert.That(Xtext.TryDecode("abc"u8, buffer, out int written), Is.False);
        Assert.That(written, Is.Zero);
    }

    [Test]
    public void Xtext_encode_uses_upper_case_hex_for_plus_equals_space_and_non_ascii()
        => Assert.That(Xtext.Encode("a+b=c d\u00e9"), Is.EqualTo("a+2Bb+3Dc+20d+C3+A9"));

    [Test]
    public void Auth_continuation_line_decodes_base64()
    {
        Span<byte> destination = stackalloc byte[64];
        Assert.That(SmtpAuthResponseParser.Parse("AGFsaWNlAHNlY3JldA=="u8, destination, out int written, out bool cancelled), Is.EqualTo(SmtpReason.None));
        Assert.That(cancelled, Is.False);
        Assert.That(Encoding.ASCII.GetString(destination[..written]), Is.EqualTo("\0alice\0secret"));
    }

    [Test]
    public void Auth_continuation_star_cancels()
    {
        Span<byte> destination = stackalloc byte[4];
        Assert.That(SmtpAuthResponseParser.Parse("*"u8, destination, out int written, out bool cancelled), Is.EqualTo(SmtpReason.None));
        Assert.That((cancelled, written), Is.EqualTo((true, 0)));
        Assert.That(SmtpReasons.ToReply(SmtpReason.AuthenticationCancelled).Code, Is.EqualTo(501));
    }

    [Test]
    public void Auth_empty_continuation_is_an_empty_response()
    {
        Assert.That(SmtpAuthResponseParser.Parse(default, default, out int written, out bool cancelled), Is.EqualTo(SmtpReason.None));
        Assert.That((cancelled, written), Is.EqualTo((false, 0)));
    }

    [TestCase("abc")]
    [TestCase("ab cd===")]
    [TestCase("ab\tc")]
    [TestCase("a===")]
    [TestCase("=abc")]
    [TestCase("ab=c")]
    [TestCase("**")]
    [TestCase("YWJj\0")]
    public void Auth_continuation_with_invalid_base64_is_501_5_5_2(string line)
    {
        Span<byte> destination = stackalloc byte[64];
        Assert.That(SmtpAuthResponseParser.Parse(Encoding.ASCII.GetBytes(line), destination, out _, out _), Is.EqualTo(SmtpReason.InvalidBase64));
        Assert.That(SmtpReasons.ToReply(SmtpReason.InvalidBase64), Is.EqualTo(new SmtpReply(501, "5.5.2", "Invalid base64 data")));
    }

    [Test]
    public void Auth_continuation_spanning_segments_is_copied_to_scratch()
    {
        Span<byte> scratch = stackalloc byte[16];
        Span<byte> destination = stackalloc byte[16];
        foreach (var (shape, sequence) in Support.Segments.AllShapes("dXNlcm5hbWU="))
        {
            Assert.That(SmtpAuthResponseParser.Parse(sequence, scratch, destination, out int written, out _), Is.EqualTo(SmtpReason.None), shape);
            Assert.That(Encoding.ASCII.GetString(destination[..written]), Is.EqualTo("username"), shape);
        }
    }

    [Test]
    public void Auth_decoding_into_a_short_buffer_reports_too_long()
    {
        Span<byte> destination = stackalloc byte[2];
        Assert.That(SmtpAuthResponseParser.Parse("dXNlcm5hbWU="u8, destination, out _, out _), Is.EqualTo(SmtpReason.AuthLineTooLong));
    }

    [Test]
    public void Initial_response_equals_sign_is_empty()
    {
        Span<byte> destination = stackalloc byte[8];
        Assert.That(SmtpAuthResponseParser.DecodeInitialResponse("="u8, destination, out int written), Is.EqualTo(SmtpReason.None));
        Assert.That(written, Is.Zero);
        Assert.That(SmtpAuthResponseParser.DecodeInitialResponse("YQ=="u8, destination, out written), Is.EqualTo(SmtpReason.None));
        Assert.That(Encoding.ASCII.GetString(destination[..written]), Is.EqualTo("a"));
    }
}
