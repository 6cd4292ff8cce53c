using System.Text;
using Smtp.Core.Protocol;
using static Smtp.Core.Tests.Protocol.ParserHarness;

namespace Smtp.Core.Tests.Protocol;

public class SmtpPathAndParameterTests
{
    [TestCase("MAIL FROM:<a@b.example>", "Mail path=<a@b.example> local=a domain=b.example")]
    [TestCase("mail from:<a@b.example>", "Mail path=<a@b.example> local=a domain=b.example")]
    [TestCase("MAIL FROM: <a@b.example>", "Mail path=<a@b.example> local=a domain=b.example")]
    [TestCase("MAIL FROM:   <a@b.example>  ", "Mail path=<a@b.example> local=a domain=b.example")]
    [TestCase("MAIL FROM:<>", "Mail path=<> null")]
    [TestCase("MAIL FROM:<first.last+tag@sub.b.example>", "Mail path=<first.last+tag@sub.b.example> local=first.last+tag domain=sub.b.example")]
    [TestCase("MAIL FROM:<!#$%&'*+-/=?^_`{|}~@x>", "Mail path=<!#$%&'*+-/=?^_`{|}~@x> local=!#$%&'*+-/=?^_`{|}~ domain=x")]
    [TestCase("MAIL FROM:<\"john doe\"@b.example>", "Mail path=<\"john doe\"@b.example> local=\"john doe\" domain=b.example")]
    [TestCase("MAIL FROM:<\"a\\\"b>c\"@b.example>", "Mail path=<\"a\\\"b>c\"@b.example> local=\"a\\\"b>c\" domain=b.example")]
    [TestCase("MAIL FROM:<@relay1.example,@relay2.example:user@d.example>", "Mail path=<@relay1.example,@relay2.example:user@d.example> route=@relay1.example,@relay2.example local=user domain=d.example")]
    [TestCase("MAIL FROM:<user@[192.0.2.7]>", "Mail path=<user@[192.0.2.7]> local=user domain=[192.0.2.7] literal")]
    [TestCase("MAIL FROM:<user@[IPv6:2001:db8::7]>", "Mail path=<user@[IPv6:2001:db8::7]> local=user domain=[IPv6:2001:db8::7] literal")]
    [TestCase("MAIL FROM:<user@[IPv6:2001:db8::192.0.2.7]>", "Mail path=<user@[IPv6:2001:db8::192.0.2.7]> local=user domain=[IPv6:2001:db8::192.0.2.7] literal")]
    public void Mail_accepts_every_reverse_path_form(string line, string expected)
        => Assert.That(Parse(line), Is.EqualTo(expected));

    [TestCase("RCPT TO:<c@d.example>", "Rcpt path=<c@d.example> local=c domain=d.example")]
    [TestCase("RCPT TO:<Postmaster>", "Rcpt path=<Postmaster> postmaster local=Postmaster")]
    [TestCase("rcpt to:<postmaster>", "Rcpt path=<postmaster> postmaster local=postmaster")]
    [TestCase("RCPT TO:<postmaster@d.example>", "Rcpt path=<postmaster@d.example> local=postmaster domain=d.example")]
    [TestCase("RCPT TO: <c@d.example>", "Rcpt path=<c@d.example> local=c domain=d.example")]
    [TestCase("RCPT TO:<@r.example:c@d.example>", "Rcpt path=<@r.example:c@d.example> route=@r.example local=c domain=d.example")]
    public void Rcpt_accepts_every_forward_path_form(string line, string expected)
        => Assert.That(Parse(line), Is.EqualTo(expected));

    [TestCase("MAIL", SmtpReason.MailSyntax)]
    [TestCase("MAIL TO:<a@b>", SmtpReason.MailSyntax)]
    [TestCase("MAIL FROM:a@b", SmtpReason.MailSyntax)]
    [TestCase("MAIL FROM:", SmtpReason.MailSyntax)]
    [TestCase("MAIL FROM:<a@b>SIZE=1", SmtpReason.MailSyntax)]
    [TestCase("MAIL FROM:<a@b> =1", SmtpReason.MailSyntax)]
    [TestCase("MAIL FROM:<a@b> SI_ZE=1", SmtpReason.MailSyntax)]
    [TestCase("MAIL FROM:<a@b", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<a>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<Postmaster>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<@b>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<a.@b>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<.a@b>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<a..b@c>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<a b@c>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<a@b@c>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<a@>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<a@-b>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<a@b.>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<\"unterminated@b>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<\"a\tb\"@c>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<a@[300.1.1.1]>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<a@[IPv6:zz::1]>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<@r:a@b,c>", SmtpReason.InvalidSenderAddress)]
    [TestCase("MAIL FROM:<@r,a@b>", SmtpReason.InvalidSenderAddress)]
    public void Mail_refuses_malformed_reverse_paths(string line, SmtpReason reason)
        => Assert.That(Reason(line), Is.EqualTo(reason));

    [TestCase("RCPT", SmtpReason.RcptSyntax)]
    [TestCase("RCPT FROM:<a@b>", SmtpReason.RcptSyntax)]
    [TestCase("RCPT TO:c@d", SmtpReason.RcptSyntax)]
    [TestCase("RCPT TO:<>", SmtpReason.InvalidRecipientAddress)]
    [TestCase("RCPT TO:<c>", SmtpReason.InvalidRecipientAddress)]
    [TestCase("RCPT TO:<\"postmaster\">", SmtpReason.InvalidRecipientAddress)]
    [TestCase("RCPT TO:<c@d", SmtpReason.InvalidRecipientAddress)]
    public void Rcpt_refuses_malformed_forward_paths(string line, SmtpReason reason)
        => Assert.That(Reason(line), Is.EqualTo(reason));

    [Test]
    public void Length_limits_have_distinct_reasons()
    {
        string local64 = new('l', 64);
        string label = new('d', 63);
        string domain = string.Join('.', label, label, label, new string('d', 61)); // 253 octets
        Assert.That(Reason($"MAIL FROM:<{local64}@b>"), Is.EqualTo(SmtpReason.None));
        Assert.That(Reason($"MAIL FROM:<{local64}l@b>"), Is.EqualTo(SmtpReason.LocalPartTooLong));
        Assert.That(Reason($"RCPT TO:<a@{domain}.dd.d>"), Is.EqualTo(SmtpReason.DomainTooLong));
        Assert.That(Reason($"RCPT TO:<{local64}@{domain}>"), Is.EqualTo(SmtpReason.PathTooLong));
        Assert.That(Reason($"RCPT TO:<{new string('l', 60)}@{domain[..190]}>"), Is.EqualTo(SmtpReason.None));
    }

    [Test]
    public void Utf8_addresses_need_smtputf8_on_mail_and_the_transaction_option_on_rcpt()
    {
        Assert.That(Reason("MAIL FROM:<j\u00f6rg@b\u00fccher.example>"), Is.EqualTo(SmtpReason.NonAsciiAddressWithoutSmtpUtf8));
        Assert.That(Parse("MAIL FROM:<j\u00f6rg@b\u00fccher.example> SMTPUTF8"), Is.EqualTo("Mail path=<j\u00f6rg@b\u00fccher.example> local=j\u00f6rg domain=b\u00fccher.example utf8addr SMTPUTF8"));
        Assert.That(Reason("RCPT TO:<\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a>"), Is.EqualTo(SmtpReason.NonAsciiAddressWithoutSmtpUtf8));
        Assert.That(Reason("RCPT TO:<\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a>", SmtpParseOptions.Utf8Transaction), Is.EqualTo(SmtpReason.None));
        Assert.That(Reason("RCPT TO:<\"\u00e9 x\"@b>", SmtpParseOptions.Utf8Transaction), Is.EqualTo(SmtpReason.None));
        Assert.That(SmtpReasons.ToReply(SmtpReason.NonAsciiAddressWithoutSmtpUtf8), Is.EqualTo(new SmtpReply(553, "5.6.7", "Non-ASCII address requires SMTPUTF8")));
    }

    [Test]
    public void Malformed_utf8_in_an_address_is_refused()
    {
        byte[] line = [.. "MAIL FROM:<a"u8, 0xC3, (byte)'A', .. "@b> SMTPUTF8"u8];
        Assert.That(SmtpCommandParser.Parse(line, SmtpParseOptions.None, out _), Is.EqualTo(SmtpReason.InvalidUtf8));
        byte[] overlong = [.. "RCPT TO:<a@b"u8, 0xC0, 0xAF, (byte)'>'];
        Assert.That(SmtpCommandParser.Parse(overlong, SmtpParseOptions.Utf8Transaction, out _), Is.EqualTo(SmtpReason.InvalidUtf8));
    }

    [TestCase("MAIL FROM:<a@b.example> SIZE=12345 BODY=8BITMIME", "Mail path=<a@b.example> local=a domain=b.example SIZE=12345 BODY=EightBitMime")]
    [TestCase("MAIL FROM:<a@b> size=0 body=7bit", "Mail path=<a@b> local=a domain=b SIZE=0 BODY=SevenBit")]
    [TestCase("MAIL FROM:<a@b> BODY=BINARYMIME", "Mail path=<a@b> local=a domain=b BODY=BinaryMime")]
    [TestCase("MAIL FROM:<a@b>  SMTPUTF8   REQUIRETLS ", "Mail path=<a@b> local=a domain=b SMTPUTF8 REQUIRETLS")]
    [TestCase("MAIL FROM:<a@b> RET=FULL ENVID=QQ314159", "Mail path=<a@b> local=a domain=b RET=Full ENVID=QQ314159")]
    [TestCase("MAIL FROM:<a@b> RET=hdrs ENVID=a+2Bb", "Mail path=<a@b> local=a domain=b RET=Headers ENVID=a+2Bb")]
    [TestCase("MAIL FROM:<a@b> AUTH=<>", "Mail path=<a@b> local=a domain=b AUTH=<>")]
    [TestCase("MAIL FROM:<a@b> AUTH=e+3Dmc2@example.com", "Mail path=<a@b> local=a domain=b AUTH=e+3Dmc2@example.com")]
    [TestCase("MAIL FROM:<> SIZE=9223372036854775807", "Mail path=<> null SIZE=9223372036854775807")]
    public void Mail_parameters_are_parsed_into_typed_values(string line, string expected)
        => Assert.That(Parse(line), Is.EqualTo(expected));

    [TestCase("RCPT TO:<c@d> NOTIFY=NEVER", "Rcpt path=<c@d> local=c domain=d NOTIFY=Never")]
    [TestCase("RCPT TO:<c@d> NOTIFY=SUCCESS,FAILURE,DELAY", "Rcpt path=<c@d> local=c domain=d NOTIFY=Success,Failure,Delay")]
    [TestCase("RCPT TO:<c@d> notify=delay,failure ORCPT=rfc822;c+40d", "Rcpt path=<c@d> local=c domain=d NOTIFY=Failure,Delay ORCPT=rfc822;c+40d")]
    [TestCase("RCPT TO:<c@d> ORCPT=utf-8;j\\x{00F6}rg@d", "Rcpt path=<c@d> local=c domain=d ORCPT=utf-8;j\\x{00F6}rg@d")]
    public void Rcpt_parameters_are_parsed_into_typed_values(string line, string expected)
        => Assert.That(Parse(line), Is.EqualTo(expected));

    // RFC 6533 §3: an ORCPT of type utf-8 is utf-8-addr-xtext (QCHAR, "\x{HEX}"), and in an SMTPUTF8
    // transaction also unitext (UTF-8 as it is); "+HH" xtext escapes, "+", "=" and a bare backslash are not part of it.
    [TestCase("RCPT TO:<c@d> ORCPT=utf-8;j\\x{F6}rg@d", false, SmtpReason.None)]
    [TestCase("RCPT TO:<c@d> ORCPT=UTF-8;\\x{1F600}@d", false, SmtpReason.None)]
    [TestCase("RCPT TO:<c@d> ORCPT=utf-8;j\u00f6rg@d", true, SmtpReason.None)]
    [TestCase("RCPT TO:<c@d> ORCPT=utf-8;j\u00f6rg@d", false, SmtpReason.InvalidXtext)]
    [TestCase("RCPT TO:<c@d> ORCPT=rfc822;j\u00f6rg@d", true, SmtpReason.InvalidXtext)]
    [TestCase("RCPT TO:<c@d> ORCPT=utf-8;j+C3+B6rg@d", true, SmtpReason.InvalidXtext)]
    [TestCase("RCPT TO:<c@d> ORCPT=utf-8;a\\b@d", false, SmtpReason.InvalidXtext)]
    [TestCase("RCPT TO:<c@d> ORCPT=utf-8;a\\x{F}@d", false, SmtpReason.InvalidXtext)]
    [TestCase("RCPT TO:<c@d> ORCPT=utf-8;a\\x{D800}@d", false, SmtpReason.InvalidXtext)]
    [TestCase("RCPT TO:<c@d> ORCPT=utf-8;a\\x{0D}\\x{0A}@d", false, SmtpReason.InvalidXtext)]
    [TestCase("RCPT TO:<c@d> ORCPT=utf-8;a\\x{00}@d", false, SmtpReason.InvalidXtext)]
    [TestCase("RCPT TO:<c@d> ORCPT=utf-8;a\\x{1234567}@d", false, SmtpReason.InvalidXtext)]
    public void Utf8_ORCPT_takes_RFC_6533_forms(string line, bool utf8Transaction, SmtpReason expected)
        => Assert.That(Reason(line, utf8Transaction ? SmtpParseOptions.Utf8Transaction : SmtpParseOptions.None), Is.EqualTo(expected));

    [TestCase("j\\x{F6}rg@d", "j\u00f6rg@d")]
    [TestCase("\\x{1F600}\\x{2B}x@d", "\U0001F600+x@d")]
    [TestCase("j\u00f6rg@d", "j\u00f6rg@d")]
    public void Utf8_ORCPT_addresses_decode_to_their_characters(string encoded, string decoded)
        => Assert.That(Utf8AddressText.Decode(Encoding.UTF8.GetBytes(encoded)), Is.EqualTo(decoded));

    [TestCase("MAIL FROM:<a@b> FOO=1", SmtpReason.UnknownParameter)]
    [TestCase("MAIL FROM:<a@b> NOTIFY=NEVER", SmtpReason.UnknownParameter)]
    [TestCase("RCPT TO:<c@d> SIZE=1", SmtpReason.UnknownParameter)]
    [TestCase("MAIL FROM:<a@b> SIZE=1 size=2", SmtpReason.DuplicateParameter)]
    [TestCase("MAIL FROM:<a@b> SMTPUTF8 SMTPUTF8", SmtpReason.DuplicateParameter)]
    [TestCase("RCPT TO:<c@d> NOTIFY=NEVER NOTIFY=DELAY", SmtpReason.DuplicateParameter)]
    [TestCase("MAIL FROM:<a@b> SIZE", SmtpReason.InvalidParameterValue)]
    [TestCase("MAIL FROM:<a@b> SIZE=", SmtpReason.InvalidParameterValue)]
    [TestCase("MAIL FROM:<a@b> SIZE=12a", SmtpReason.InvalidParameterValue)]
    [TestCase("MAIL FROM:<a@b> SIZE=-1", SmtpReason.InvalidParameterValue)]
    [TestCase("MAIL FROM:<a@b> SIZE=99999999999999999999", SmtpReason.MessageTooLarge)]
    [TestCase("MAIL FROM:<a@b> BODY=9BIT", SmtpReason.InvalidParameterValue)]
    [TestCase("MAIL FROM:<a@b> BODY", SmtpReason.InvalidParameterValue)]
    [TestCase("MAIL FROM:<a@b> SMTPUTF8=yes", SmtpReason.InvalidParameterValue)]
    [TestCase("MAIL FROM:<a@b> REQUIRETLS=1", SmtpReason.InvalidParameterValue)]
    [TestCase("MAIL FROM:<a@b> RET=ALL", SmtpReason.InvalidParameterValue)]
    [TestCase("MAIL FROM:<a@b> ENVID=a=b", SmtpReason.InvalidParameterValue)]
    [TestCase("MAIL FROM:<a@b> ENVID=a+2", SmtpReason.InvalidXtext)]
    [TestCase("MAIL FROM:<a@b> ENVID=a+ZZ", SmtpReason.InvalidXtext)]
    [TestCase("MAIL FROM:<a@b> ENVID=a+0D+0A", SmtpReason.InvalidXtext)]
    [TestCase("MAIL FROM:<a@b> AUTH=a+0Ab", SmtpReason.InvalidXtext)]
    [TestCase("MAIL FROM:<a@b> AUTH=", SmtpReason.InvalidParameterValue)]
    [TestCase("RCPT TO:<c@d> NOTIFY=NEVER,DELAY", SmtpReason.InvalidParameterValue)]
    [TestCase("RCPT TO:<c@d> NOTIFY=SUCCESS,,DELAY", SmtpReason.InvalidParameterValue)]
    [TestCase("RCPT TO:<c@d> NOTIFY=SUCCESS,SUCCESS", SmtpReason.InvalidParameterValue)]
    [TestCase("RCPT TO:<c@d> NOTIFY=SOMETIMES", SmtpReason.InvalidParameterValue)]
    [TestCase("RCPT TO:<c@d> ORCPT=rfc822", SmtpReason.InvalidParameterValue)]
    [TestCase("RCPT TO:<c@d> ORCPT=;c@d", SmtpReason.InvalidParameterValue)]
    [TestCase("RCPT TO:<c@d> ORCPT=rfc822;", SmtpReason.InvalidParameterValue)]
    [TestCase("RCPT TO:<c@d> ORCPT=rfc822;c+4", SmtpReason.InvalidXtext)]
    public void Bad_parameters_have_their_own_reasons(string line, SmtpReason reason)
        => Assert.That(Reason(line), Is.EqualTo(reason));

    [Test]
    public void Envid_over_100_characters_is_refused()
    {
        Assert.That(Reason("MAIL FROM:<a@b> ENVID=" + new string('e', 100)), Is.EqualTo(SmtpReason.None));
        Assert.That(Reason("MAIL FROM:<a@b> ENVID=" + new string('e', 101)), Is.EqualTo(SmtpReason.InvalidParameterValue));
    }

    [Test]
    public void Path_helpers_make_strings_for_host_code()
    {
        Assert.That(SmtpCommandParser.Parse("MAIL FROM:<\"a\\\"b c\"@B.Example> SMTPUTF8"u8, SmtpParseOptions.None, out var mail), Is.EqualTo(SmtpReason.None));
        Assert.That(mail.Path.GetMailbox(), Is.EqualTo("\"a\\\"b c\"@B.Example"));
        Assert.That(mail.Path.GetLocalPart(), Is.EqualTo("\"a\\\"b c\""));
        Assert.That(mail.Path.GetUnquotedLocalPart(), Is.EqualTo("a\"b c"));
        Assert.That(mail.Path.GetDomain(), Is.EqualTo("B.Example"));
        Assert.That(mail.Path.IsQuotedLocalPart, Is.True);

        Assert.That(SmtpCommandParser.Parse("MAIL FROM:<>"u8, SmtpParseOptions.None, out var bounce), Is.EqualTo(SmtpReason.None));
        Assert.That(bounce.Path.GetMailbox(), Is.Empty);

        Assert.That(SmtpCommandParser.Parse(Encoding.UTF8.GetBytes("RCPT TO:<j\u00f6rg@b\u00fccher.example>"), SmtpParseOptions.Utf8Transaction, out var rcpt), Is.EqualTo(SmtpReason.None));
        Assert.That(rcpt.Path.GetMailbox(), Is.EqualTo("j\u00f6rg@b\u00fccher.example"));
        Assert.That(rcpt.Path.GetUnquotedLocalPart(), Is.EqualTo("j\u00f6rg"));
    }
}
