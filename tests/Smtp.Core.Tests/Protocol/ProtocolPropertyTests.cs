using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Smtp.Core.Protocol;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Protocol;

public class ProtocolPropertyTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(300);

    // Bytes weighted towards the ones that matter to the framing.
    private static readonly Gen<byte> InterestingByte = Gen.Frequency(
        (4, Gen.Elements((byte)'\r', (byte)'\n', (byte)'.')),
        (6, Gen.Choose(0, 255).Select(i => (byte)i)));

    private static readonly Gen<byte[]> Body = Gen.ArrayOf(InterestingByte);

    /// <summary>What the encoder promises to send: bare CR and bare LF become CRLF and a non-empty body ends in CRLF.</summary>
    private static byte[] Normalise(byte[] body)
    {
        var result = new List<byte>(body.Length + 8);
        for (int i = 0; i < body.Length; i++)
        {
            byte b = body[i];
            if (b == '\r')
            {
                result.Add((byte)'\r');
                result.Add((byte)'\n');
                if (i + 1 < body.Length && body[i + 1] == '\n')
                {
                    i++;
                }
            }
            else if (b == '\n')
            {
                result.Add((byte)'\r');
                result.Add((byte)'\n');
            }
            else
            {
                result.Add(b);
            }
        }

        if (result.Count > 0 && result[^1] != '\n')
        {
            result.Add((byte)'\r');
            result.Add((byte)'\n');
        }

        return [.. result];
    }

    [Test]
    public void Encoded_body_decodes_to_the_normalised_original()
    {
        var gen = Body.SelectMany(body => Gen.Choose(0, body.Length).Select(cut => (body, cut)));
        Check.One(Quick, Prop.ForAll(gen.ToArbitrary(), t =>
        {
            (byte[] body, int cut) = t;
            var encoder = new SmtpDataEncoder();
            var wire = new ArrayBufferWriter<byte>();
            encoder.Encode(body.AsSpan(0, cut), wire);
            encoder.Encode(body.AsSpan(cut), wire);
            encoder.Complete(wire);

            byte[] wireBytes = [.. wire.WrittenSpan, .. "NOOP\r\n"u8];
            var decoder = new SmtpDataDecoder(long.MaxValue);
            var decoded = new ArrayBufferWriter<byte>();
            ReadOnlySequence<byte> seq = Segments.Split(wireBytes, Math.Min(cut, wireBytes.Length));
            SmtpDataStatus status = decoder.Decode(seq, decoded, out SequencePosition consumed);
            return status == SmtpDataStatus.Completed
                && seq.Slice(consumed).Length == 6
                && !decoder.BareCarriageReturnSeen
                && !decoder.BareLineFeedSeen
                && decoded.WrittenSpan.SequenceEqual(Normalise(body));
        }));
    }

    [Test]
    public void Random_bytes_never_make_the_decoder_throw_and_are_always_consumed_or_terminated()
    {
        var gen = Body.SelectMany(body => Gen.Choose(0, body.Length).Select(cut => (body, cut)));
        Check.One(Quick, Prop.ForAll(gen.ToArbitrary(), t =>
        {
            (byte[] body, int cut) = t;
            var decoder = new SmtpDataDecoder(body.Length / 2, BareLineEndingPolicy.Reject);
            ReadOnlySequence<byte> seq = Segments.Split(body, cut);
            SmtpDataStatus status = decoder.Decode(seq, new ArrayBufferWriter<byte>(), out SequencePosition consumed);
            return status == SmtpDataStatus.Completed
                ? seq.Slice(0, consumed).Length >= 3 && decoder.BytesWritten <= body.Length / 2
                : consumed.Equals(seq.End) || seq.Slice(consumed).IsEmpty;
        }));
    }

    [Test]
    public void Random_bytes_never_make_the_reply_parser_throw()
    {
        var ascii = Gen.Frequency(
            (3, Gen.Elements("250", "-", " ", "\r\n", "550 5.1.1", "\r", "\n").Select(s => Encoding.ASCII.GetBytes(s))),
            (1, Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i))));
        var gen = Gen.ListOf(ascii).Select(parts => parts.SelectMany(p => p).ToArray())
            .SelectMany(bytes => Gen.Choose(0, bytes.Length).Select(cut => (bytes, cut)));
        var parser = new SmtpReplyParser(maxLineLength: 16, maxLines: 4, maxReplySize: 40);
        Check.One(Quick, Prop.ForAll(gen.ToArbitrary(), t =>
        {
            ReadOnlySequence<byte> seq = Segments.Split(t.bytes, t.cut);
            SmtpReplyParseStatus status = parser.TryParse(seq, out SmtpReplyView reply, out SequencePosition consumed);
            if (status != SmtpReplyParseStatus.Success)
            {
                return consumed.Equals(seq.Start);
            }

            _ = reply.ToReply();
            foreach (SmtpEhloKeyword keyword in reply.GetEhloKeywords())
            {
                _ = keyword.GetKeywordString();
            }

            return seq.Slice(0, consumed).Length <= 40;
        }));
    }

    [Test]
    public void Written_reply_parses_back_to_the_same_reply()
    {
        var line = Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyz ,;:!?<>[]()'\"-_ABCXYZ".ToCharArray()))
            .Where(chars => chars.Length < 100)
            .Select(chars => new string(chars));
        var gen =
            from code in Gen.Choose(200, 599)
            from hasEnhanced in Gen.Elements(true, false)
            from subject in Gen.Choose(0, 999)
            from detail in Gen.Choose(0, 999)
            from lines in Gen.NonEmptyListOf(line).Where(l => l.Count <= 20)
            select new SmtpReply(
                code,
                hasEnhanced && code / 100 != 3 ? $"{code / 100}.{subject}.{detail}" : null,
                string.Join('\n', lines));
        Check.One(Quick, Prop.ForAll(gen.ToArbitrary(), reply =>
        {
            var output = new ArrayBufferWriter<byte>();
            SmtpReplyWriter.Write(output, reply);
            byte[] bytes = [.. output.WrittenSpan];
            foreach (var (_, seq) in new[] { ("whole", Segments.Whole(bytes)), ("bytewise", Segments.OneBytePerSegment(bytes)) })
            {
                if (SmtpReplyParser.Default.TryParse(seq, out SmtpReplyView view, out SequencePosition consumed) != SmtpReplyParseStatus.Success
                    || !consumed.Equals(seq.End)
                    || view.ToReply() != reply)
                {
                    return false;
                }
            }

            return true;
        }));
    }
}
