using System.Text;
using Smtp.Core.Protocol;
using static Smtp.Core.Tests.Protocol.ParserHarness;

namespace Smtp.Core.Tests.Protocol;

public class SmtpCommandParserTests
{
    [TestCase("DATA", "Data")]
    [TestCase("data", "Data")]
    [TestCase("RSET", "Rset")]
    [TestCase("QUIT", "Quit")]
    [TestCase("qUiT", "Quit")]
    [TestCase("STARTTLS", "StartTls")]
    [TestCase("starttls", "StartTls")]
    [TestCase("NOOP", "Noop")]
    [TestCase("NOOP hello there", "Noop arg=hello there")]
    [TestCase("HELP", "Help")]
    [TestCase("HELP mail", "Help arg=mail")]
    [TestCase("VRFY postmaster", "Vrfy arg=postmaster")]
    [TestCase("EXPN list", "Expn arg=list")]
    [TestCase("QUIT ", "Quit")]
    public void Simple_commands_are_recognised_case_insensitively(string line, string expected)
        => Assert.That(Parse(line), Is.EqualTo(expected));

    [TestCase("DATA x")]
    [TestCase("RSET now")]
    [TestCase("QUIT please")]
    [TestCase("STARTTLS x")]
    public void Commands_without_arguments_refuse_one_with_501_5_5_4(string line)
    {
        Assert.That(Reason(line), Is.EqualTo(SmtpReason.ArgumentNotAllowed));
        Assert.That(SmtpReasons.ToReply(SmtpReason.ArgumentNotAllowed), Is.EqualTo(new SmtpReply(501, "5.5.4", "Syntax error: this command takes no argument")));
    }

    [TestCase("VRFY")]
    [TestCase("EXPN ")]
    public void Vrfy_and_expn_require_an_argument(string line)
        => Assert.That(Reason(line), Is.EqualTo(SmtpReason.MissingArgument));

    [TestCase("")]
    [TestCase("FOO")]
    [TestCase("MAILX FROM:<a@b>")]
    [TestCase("HEL")]
    [TestCase("@@@@")]
    [TestCase("STARTTLZ")]
    public void Unknown_verbs_are_unrecognized(string line)
        => Assert.That(Reason(line), Is.EqualTo(SmtpReason.UnrecognizedCommand));

    [TestCase("QU\u00ccT")]
    [TestCase("MA\u00e9L FROM:<a@b>")]
    [TestCase("QU\u0001T")]
    [TestCase("\tQUIT")]
    public void Eight_bit_or_control_octets_in_a_verb_are_invalid_characters(string line)
        => Assert.That(Reason(line), Is.EqualTo(SmtpReason.InvalidCommandCharacters));

    [TestCase("QU\0T")]
    [TestCase("NOOP \0")]
    [TestCase("MAIL FROM:<a\0@b>")]
    public void Nul_anywhere_in_a_line_is_refused(string line)
        => Assert.That(Reason(line), Is.EqualTo(SmtpReason.NulCharacter));

    [TestCase("EHLO client.example.org", "Ehlo domain=client.example.org")]
    [TestCase("HELO localhost", "Helo domain=localhost")]
    [TestCase("LHLO lmtp.example", "Lhlo domain=lmtp.example")]
    [TestCase("ehlo  a-b.c9.example ", "Ehlo domain=a-b.c9.example")]
    [TestCase("EHLO [192.0.2.1]", "Ehlo domain=[192.0.2.1]")]
    [TestCase("EHLO [IPv6:2001:db8::1]", "Ehlo domain=[IPv6:2001:db8::1]")]
    [TestCase("EHLO [IPv6:2001:db8:0:0:0:0:0:1]", "Ehlo domain=[IPv6:2001:db8:0:0:0:0:0:1]")]
    [TestCase("EHLO [IPv6:::ffff:192.0.2.1]", "Ehlo domain=[IPv6:::ffff:192.0.2.1]")]
    [TestCase("EHLO [x-tag:some-content]", "Ehlo domain=[x-tag:some-content]")]
    public void Hello_commands_accept_a_domain_or_address_literal(string line, string expected)
        => Assert.That(Parse(line), Is.EqualTo(expected));

    [TestCase("EHLO", SmtpReason.HeloSyntax)]
    [TestCase("EHLO ", SmtpReason.HeloSyntax)]
    [TestCase("EHLO a b", SmtpReason.HeloSyntax)]
    [TestCase("EHLO -bad.example", SmtpReason.InvalidDomain)]
    [TestCase("EHLO bad-.example", SmtpReason.InvalidDomain)]
    [TestCase("EHLO a..b", SmtpReason.InvalidDomain)]
    [TestCase("EHLO a.b.", SmtpReason.InvalidDomain)]
    [TestCase("EHLO under_score", SmtpReason.InvalidDomain)]
    [TestCase("EHLO [256.0.0.1]", SmtpReason.InvalidDomain)]
    [TestCase("EHLO [1.2.3]", SmtpReason.InvalidDomain)]
    [TestCase("EHLO [1.2.3.4.5]", SmtpReason.InvalidDomain)]
    [TestCase("EHLO [IPv6:2001:db8::1::2]", SmtpReason.InvalidDomain)]
    [TestCase("EHLO [IPv6:1:2:3:4:5:6:7]", SmtpReason.InvalidDomain)]
    [TestCase("EHLO [IPv6:1:2:3:4:5:6:7::]", SmtpReason.InvalidDomain)]
    [TestCase("EHLO [IPv6:fe80::1%eth0]", SmtpReason.InvalidDomain)]
    [TestCase("EHLO [IPv6:12345::1]", SmtpReason.InvalidDomain)]
    [TestCase("EHLO [192.0.2.1", SmtpReason.InvalidDomain)]
    [TestCase("EHLO [tag:]", SmtpReason.InvalidDomain)]
    [TestCase("EHLO [tag:a[b]", SmtpReason.InvalidDomain)]
    [TestCase("EHLO b\u00fccher.example", SmtpReason.InvalidDomain)]
    public void Hello_commands_refuse_malformed_domains(string line, SmtpReason reason)
        => Assert.That(Reason(line), Is.EqualTo(reason));

    [Test]
    public void A_hello_domain_over_255_octets_is_too_long()
    {
        string domain = string.Join('.', Enumerable.Repeat(new string('a', 60), 5));
        Assert.That(Reason("EHLO " + domain), Is.EqualTo(SmtpReason.DomainTooLong));
    }

    [TestCase("BDAT 0", "Bdat size=0")]
    [TestCase("BDAT 1000 LAST", "Bdat size=1000 last")]
    [TestCase("bdat 42 last", "Bdat size=42 last")]
    [TestCase("BDAT 9223372036854775807", "Bdat size=9223372036854775807")]
    public void Bdat_parses_size_and_last(string line, string expected)
        => Assert.That(Parse(line), Is.EqualTo(expected));

    [TestCase("BDAT")]
    [TestCase("BDAT x")]
    [TestCase("BDAT -1")]
    [TestCase("BDAT 10 FIRST")]
    [TestCase("BDAT 10 LAST x")]
    [TestCase("BDAT 9223372036854775808")]
    [TestCase("BDAT 99999999999999999999999")]
    public void Bdat_refuses_bad_sizes_and_markers(string line)
        => Assert.That(Reason(line), Is.EqualTo(SmtpReason.BdatSyntax));

    [TestCase("AUTH PLAIN", "Auth mech=PLAIN")]
    [TestCase("AUTH plain AGFAYg==", "Auth mech=plain ir=AGFAYg==")]
    [TestCase("AUTH PLAIN =", "Auth mech=PLAIN ir==")]
    [TestCase("AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ZnlrbytkMmxiYkZnT05Sdjlxa3hkYXdM", "Auth mech=SCRAM-SHA-256 ir=biwsbj11c2VyLHI9ZnlrbytkMmxiYkZnT05Sdjlxa3hkYXdM")]
    public void Auth_parses_mechanism_and_initial_response(string line, string expected)
        => Assert.That(Parse(line), Is.EqualTo(expected));

    [TestCase("AUTH", SmtpReason.AuthSyntax)]
    [TestCase("AUTH PL@IN", SmtpReason.AuthSyntax)]
    [TestCase("AUTH ABCDEFGHIJKLMNOPQRSTU", SmtpReason.AuthSyntax)]
    [TestCase("AUTH PLAIN abc", SmtpReason.InvalidBase64)]
    [TestCase("AUTH PLAIN ab=c", SmtpReason.InvalidBase64)]
    [TestCase("AUTH PLAIN AGFA Yg==", SmtpReason.InvalidBase64)]
    [TestCase("AUTH PLAIN ==", SmtpReason.InvalidBase64)]
    public void Auth_refuses_bad_mechanisms_and_base64(string line, SmtpReason reason)
        => Assert.That(Reason(line), Is.EqualTo(reason));

    [Test]
    public void A_line_crossing_segments_longer_than_scratch_is_too_long()
    {
        var sequence = Support.Segments.Split("NOOP 123456"u8, 3);
        Span<byte> scratch = stackalloc byte[4];
        Assert.That(SmtpCommandParser.Parse(sequence, scratch, SmtpParseOptions.None, out _), Is.EqualTo(SmtpReason.LineTooLong));
    }

    [Test]
    public void A_single_span_parse_needs_no_scratch()
    {
        Assert.That(SmtpCommandParser.Parse("RCPT TO:<a@b>"u8, SmtpParseOptions.None, out var command), Is.EqualTo(SmtpReason.None));
        Assert.That(command.Path.GetMailbox(), Is.EqualTo("a@b"));
    }

    [Test]
    public void Every_reason_has_a_reply_with_a_matching_enhanced_class()
    {
        foreach (SmtpReason reason in Enum.GetValues<SmtpReason>())
        {
            SmtpReply reply = SmtpReasons.ToReply(reason);
            Assert.That(reply.Text, Is.Not.Empty, reason.ToString());
            Assert.That(reply.EnhancedCode![0] - '0', Is.EqualTo(reply.Code / 100), reason.ToString());
            if (reason != SmtpReason.None)
            {
                Assert.That(reply.IsPositiveCompletion, Is.False, reason.ToString());
            }
        }
    }

    [TestCase(SmtpReason.LineTooLong, 500, "5.5.2")]
    [TestCase(SmtpReason.AuthLineTooLong, 500, "5.5.6")]
    [TestCase(SmtpReason.UnrecognizedCommand, 500, "5.5.2")]
    [TestCase(SmtpReason.InvalidSenderAddress, 501, "5.1.7")]
    [TestCase(SmtpReason.InvalidRecipientAddress, 501, "5.1.3")]
    [TestCase(SmtpReason.NonAsciiAddressWithoutSmtpUtf8, 553, "5.6.7")]
    [TestCase(SmtpReason.UnknownParameter, 555, "5.5.4")]
    [TestCase(SmtpReason.DuplicateParameter, 501, "5.5.4")]
    [TestCase(SmtpReason.MessageTooLarge, 552, "5.3.4")]
    [TestCase(SmtpReason.InvalidBase64, 501, "5.5.2")]
    public void Reasons_map_to_the_documented_codes(SmtpReason reason, int code, string enhanced)
    {
        SmtpReply reply = SmtpReasons.ToReply(reason);
        Assert.That((reply.Code, reply.EnhancedCode), Is.EqualTo((code, enhanced)));
    }

    [Test]
    public void Random_lines_never_throw()
    {
        var random = new Random(5321);
        byte[] alphabet = Encoding.ASCII.GetBytes("MAILRCPTFROM:TO<>@[].\"\\ =+,;:SIZEBODYNOTIFYORCPT0123456789abcxyz\0\u007f")
            .Concat(new byte[] { 0x80, 0xC3, 0xA9, 0xFF }).ToArray();
        string[] prefixes = ["MAIL FROM:", "RCPT TO:", "EHLO ", "BDAT ", "AUTH ", "VRFY ", ""];
        for (int i = 0; i < 20000; i++)
        {
            byte[] prefix = Encoding.ASCII.GetBytes(prefixes[random.Next(prefixes.Length)]);
            byte[] tail = new byte[random.Next(0, 80)];
            for (int j = 0; j < tail.Length; j++)
            {
                tail[j] = alphabet[random.Next(alphabet.Length)];
            }

            byte[] line = prefix.Concat(tail).ToArray();
            SmtpReason reason = SmtpCommandParser.Parse(line, (SmtpParseOptions)random.Next(2), out _);
            Assert.That(Enum.IsDefined(reason), Is.True);
        }
    }
}
