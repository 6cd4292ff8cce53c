using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Smtp.Core.Protocol;

namespace Smtp.Core.Tests.Protocol;

public class ParserPropertyTests
{
    private const string Atext = "abcxyzABCXYZ0189!#$%&'*+-/=?^_`{|}~";

    [Test]
    public void Random_bytes_never_throw_and_never_break_the_framer_budget()
    {
        var property = Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), (byte[] bytes) =>
        {
            byte[] scratch = new byte[64];
            foreach (var policy in new[] { BareLineEndingPolicy.Reject, BareLineEndingPolicy.Allow })
            {
                var framer = new SmtpLineFramer(64, policy);
                var reader = new SequenceReader<byte>(Support.Segments.Split(bytes, bytes.Length / 2));
                while (true)
                {
                    long before = reader.Consumed;
                    SmtpLineStatus status = framer.TryReadLine(ref reader, out var line);
                    if (status == SmtpLineStatus.NeedMoreData)
                    {
                        break;
                    }

                    if (status == SmtpLineStatus.Line)
                    {
                        if (line.Length > 62)
                        {
                            return false;
                        }

                        SmtpReason reason = SmtpCommandParser.Parse(line, scratch, SmtpParseOptions.None, out _);
                        if (!Enum.IsDefined(reason))
                        {
                            return false;
                        }
                    }
                    else if (reader.Consumed == before)
                    {
                        return false;
                    }
                }
            }

            return true;
        });
        Check.QuickThrowOnFailure(property);
    }

    [Test]
    public void Rendered_mail_commands_parse_back_to_the_same_fields()
    {
        Gen<string> atom = Sized(Gen.Elements(Atext.ToCharArray()), 1, 9).Select(a => new string(a));
        Gen<string> dotString = Sized(atom, 1, 3).Select(a => string.Join('.', a));
        Gen<string> quoted = Sized(Gen.Elements("a b\"\\@<>,;:x.".ToCharArray()), 1, 11)
            .Select(a => "\"" + string.Concat(a.Select(c => c is '"' or '\\' ? "\\" + c : c.ToString())) + "\"");
        Gen<string> label = Sized(Gen.Elements("abcz09".ToCharArray()), 1, 11)
            .Select(a => new string(a))
            .SelectMany(l => Gen.Elements(l, l + "-x", "x--" + l));
        Gen<string> domain = Sized(label, 1, 4).Select(a => string.Join('.', a));
        Gen<string> literal = Gen.Elements("[192.0.2.1]", "[IPv6:2001:db8::1]", "[IPv6:1:2:3:4:5:6:7:8]", "[x-tag:v]");
        Gen<string> envid = Sized(Gen.Elements("ab+= \u00e9~".ToCharArray()), 1, 12).Select(a => Xtext.Encode(new string(a)));

        var generator =
            from local in Gen.OneOf(dotString, quoted)
            from dom in Gen.OneOf(domain, literal)
            from size in Gen.Choose(0, int.MaxValue).Select(i => (long)i * 3)
            from body in Gen.Elements(SmtpBodyType.None, SmtpBodyType.SevenBit, SmtpBodyType.EightBitMime, SmtpBodyType.BinaryMime)
            from ret in Gen.Elements(SmtpDsnReturn.None, SmtpDsnReturn.Full, SmtpDsnReturn.Headers)
            from id in envid
            select (local, dom, size, body, ret, id);

        var property = Prop.ForAll(generator.ToArbitrary(), t =>
        {
            var text = new StringBuilder($"MAIL FROM:<{t.local}@{t.dom}> SIZE={t.size}");
            if (t.body != SmtpBodyType.None)
            {
                text.Append(" BODY=").Append(t.body switch { SmtpBodyType.SevenBit => "7BIT", SmtpBodyType.EightBitMime => "8BITMIME", _ => "BINARYMIME" });
            }

            if (t.ret != SmtpDsnReturn.None)
            {
                text.Append(" RET=").Append(t.ret == SmtpDsnReturn.Full ? "FULL" : "HDRS");
            }

            text.Append(" ENVID=").Append(t.id);
            byte[] line = Encoding.UTF8.GetBytes(text.ToString());
            SmtpReason reason = SmtpCommandParser.Parse(line, SmtpParseOptions.None, out var command);
            return reason == SmtpReason.None
                && command.Path.GetMailbox() == $"{t.local}@{t.dom}"
                && command.Path.IsAddressLiteral == t.dom.StartsWith('[')
                && command.Path.IsQuotedLocalPart == t.local.StartsWith('"')
                && command.Size == t.size
                && command.Body == t.body
                && command.Return == t.ret
                && Encoding.ASCII.GetString(command.EnvelopeId) == t.id;
        });
        Check.QuickThrowOnFailure(property);
    }

    private static Gen<T[]> Sized<T>(Gen<T> element, int min, int max)
        => Gen.Choose(min, max).SelectMany(n => element.ArrayOf(n));

    [Test]
    public void Rendered_rcpt_notify_and_orcpt_parse_back()
    {
        var generator =
            from flags in Gen.Elements(SmtpDsnNotify.Never, SmtpDsnNotify.Success, SmtpDsnNotify.Failure | SmtpDsnNotify.Delay,
                SmtpDsnNotify.Success | SmtpDsnNotify.Failure | SmtpDsnNotify.Delay, SmtpDsnNotify.Delay)
            from original in Gen.Elements("a@b", "x+y=z@\u00e9.example", "\"q t\"@d").Select(Xtext.Encode)
            select (flags, original);

        var property = Prop.ForAll(generator.ToArbitrary(), t =>
        {
            string notify = t.flags.ToString().Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
            byte[] line = Encoding.UTF8.GetBytes($"RCPT TO:<c@d> NOTIFY={notify} ORCPT=rfc822;{t.original}");
            SmtpReason reason = SmtpCommandParser.Parse(line, SmtpParseOptions.None, out var command);
            return reason == SmtpReason.None
                && command.Notify == t.flags
                && Encoding.ASCII.GetString(command.OriginalRecipient) == "rfc822;" + t.original;
        });
        Check.QuickThrowOnFailure(property);
    }

    [Test]
    public void Xtext_round_trips_any_text_without_line_ends_or_nul()
    {
        var property = Prop.ForAll(ArbMap.Default.ArbFor<string>(), (string s) =>
        {
            s = (s ?? string.Empty).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Replace("\0", "", StringComparison.Ordinal);
            s = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s)); // lone surrogates become U+FFFD
            byte[] encoded = Encoding.ASCII.GetBytes(Xtext.Encode(s));
            return Xtext.TryDecodeToString(encoded, out string? decoded) && decoded == s;
        });
        Check.QuickThrowOnFailure(property);
    }
}
