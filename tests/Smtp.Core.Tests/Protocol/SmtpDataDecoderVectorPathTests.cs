using System.Buffers;
using Smtp.Core.Protocol;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Protocol;

/// <summary>
/// The decoder copies clean content 32 bytes at a time straight into the writer's span: these cases aim at the
/// edges of that path (the end of a block, of a segment, of the writer's span, and the size cap falling inside a
/// block) and compare the result with a byte-at-a-time reading of RFC 5321 §4.1.1.4 and §4.5.2.
/// </summary>
public class SmtpDataDecoderVectorPathTests
{
    private static (byte[] Body, int Consumed, bool BareCr, bool BareLf) Reference(byte[] input)
    {
        var body = new List<byte>();
        bool lineStart = true;
        bool bareCr = false;
        bool bareLf = false;
        for (int i = 0; i < input.Length;)
        {
            if (lineStart && input[i] == '.')
            {
                if (i + 2 < input.Length && input[i + 1] == '\r' && input[i + 2] == '\n')
                {
                    return ([.. body], i + 3, bareCr, bareLf);
                }

                i++;
            }
            else if (input[i] == '\r' && i + 1 < input.Length && input[i + 1] == '\n')
            {
                body.Add((byte)'\r');
                body.Add((byte)'\n');
                i += 2;
                lineStart = true;
                continue;
            }
            else
            {
                bareCr |= input[i] == '\r';
                bareLf |= input[i] == '\n';
                body.Add(input[i]);
                i++;
            }

            lineStart = false;
        }

        throw new InvalidOperationException("Test inputs always end with a terminator.");
    }

    /// <summary>Lines of every length from 0 to 80, some dot-stuffed, some with a bare CR or LF inside.</summary>
    private static byte[] LinesOfEveryLength(Random random)
    {
        var bytes = new List<byte>();
        for (int length = 0; length <= 80; length++)
        {
            if (length % 3 == 0)
            {
                bytes.Add((byte)'.');
            }

            for (int k = 0; k < length; k++)
            {
                int roll = random.Next(200);
                bytes.Add(roll switch { 0 => (byte)'\r', 1 => (byte)'\n', 2 => (byte)'.', _ => (byte)random.Next('A', 'z' + 1) });
            }

            bytes.AddRange("\r\n"u8.ToArray());
        }

        bytes.AddRange("\r\n.\r\nQUIT\r\n"u8.ToArray());
        return [.. bytes];
    }

    private static ReadOnlySequence<byte> RandomSegments(byte[] input, Random random, int maxSegment)
    {
        var cuts = new List<int>();
        for (int at = random.Next(1, maxSegment + 1); at < input.Length; at += random.Next(1, maxSegment + 1))
        {
            cuts.Add(at);
        }

        return Segments.Split(input, [.. cuts]);
    }

    private static void AssertMatchesReference(byte[] input, ReadOnlySequence<byte> seq, IBufferWriter<byte> output, Func<byte[]> written, string label)
    {
        var expected = Reference(input);
        var decoder = new SmtpDataDecoder(long.MaxValue, BareLineEndingPolicy.Allow);
        SmtpDataStatus status = decoder.Decode(seq, output, out SequencePosition consumed);
        Assert.That(status, Is.EqualTo(SmtpDataStatus.Completed), label);
        Assert.That(seq.Slice(0, consumed).Length, Is.EqualTo(expected.Consumed), label);
        Assert.That(written(), Is.EqualTo(expected.Body), label);
        Assert.That((decoder.BareCarriageReturnSeen, decoder.BareLineFeedSeen), Is.EqualTo((expected.BareCr, expected.BareLf)), label);
        Assert.That(decoder.MessageSize, Is.EqualTo(expected.Body.Length), label);
        Assert.That(decoder.BytesWritten, Is.EqualTo(expected.Body.Length), label);
    }

    [Test]
    public void Lines_of_every_length_decode_as_the_reference_does_in_one_segment_and_in_small_segments()
    {
        var random = new Random(5321);
        for (int n = 0; n < 200; n++)
        {
            byte[] input = LinesOfEveryLength(random);
            var output = new ArrayBufferWriter<byte>();
            AssertMatchesReference(input, Segments.Whole(input), output, () => output.WrittenSpan.ToArray(), $"case {n} whole");
            foreach (int maxSegment in new[] { 8, 40, 100 })
            {
                output = new ArrayBufferWriter<byte>();
                AssertMatchesReference(input, RandomSegments(input, random, maxSegment), output, () => output.WrittenSpan.ToArray(), $"case {n} segments<={maxSegment}");
            }
        }
    }

    [Test]
    public void Writer_that_hands_out_just_the_span_asked_for_receives_the_same_body_over_many_calls()
    {
        var random = new Random(1870);
        for (int n = 0; n < 200; n++)
        {
            byte[] input = LinesOfEveryLength(random);
            var expected = Reference(input);
            var decoder = new SmtpDataDecoder(long.MaxValue, BareLineEndingPolicy.Allow);
            var output = new ExactWriter(random, maxExtra: n % 40);
            int offset = 0;
            SmtpDataStatus status = SmtpDataStatus.NeedMoreData;
            while (status == SmtpDataStatus.NeedMoreData)
            {
                // Each call brings a piece of 1 to 100 bytes, so each asks the writer for a different, small span.
                var piece = new ReadOnlySequence<byte>(input, offset, Math.Min(random.Next(1, 101), input.Length - offset));
                status = decoder.Decode(piece, output, out SequencePosition consumed);
                offset += (int)piece.Slice(0, consumed).Length;
            }

            string label = $"case {n}";
            Assert.That(offset, Is.EqualTo(expected.Consumed), label);
            Assert.That(output.ToArray(), Is.EqualTo(expected.Body), label);
            Assert.That((decoder.BareCarriageReturnSeen, decoder.BareLineFeedSeen), Is.EqualTo((expected.BareCr, expected.BareLf)), label);
        }
    }

    [Test]
    public void Size_cap_at_every_offset_of_a_long_clean_body_writes_exactly_up_to_it()
    {
        byte[] input = [.. Enumerable.Range(0, 12).SelectMany(n => System.Text.Encoding.ASCII.GetBytes((n % 4 == 0 ? ".." : string.Empty) + new string((char)('a' + n), 40) + "\r\n")), .. ".\r\n"u8.ToArray()];
        byte[] body = Reference(input).Body;
        for (int cap = 0; cap <= body.Length + 1; cap++)
        {
            foreach (var (shape, seq) in new[] { ("whole", Segments.Whole(input)), ("split", Segments.Split(input, input.Length / 3, input.Length / 2)) })
            {
                var decoder = new SmtpDataDecoder(cap);
                var output = new ArrayBufferWriter<byte>();
                Assert.That(decoder.Decode(seq, output, out _), Is.EqualTo(SmtpDataStatus.Completed), $"cap {cap} {shape}");
                Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo(body.Take(cap).ToArray()), $"cap {cap} {shape}");
                Assert.That(decoder.MessageSize, Is.EqualTo(body.Length), $"cap {cap} {shape}");
                Assert.That(decoder.BytesWritten, Is.EqualTo(Math.Min(cap, body.Length)), $"cap {cap} {shape}");
                Assert.That(decoder.SizeExceeded, Is.EqualTo(body.Length > cap), $"cap {cap} {shape}");
            }
        }
    }

    [Test]
    public void Size_cap_is_kept_across_calls_that_each_bring_a_little_data()
    {
        byte[] input = [.. Enumerable.Range(0, 40).SelectMany(n => System.Text.Encoding.ASCII.GetBytes((n % 5 == 0 ? "." : string.Empty) + new string('x', 70) + "\r\n")), .. ".\r\n"u8.ToArray()];
        byte[] body = Reference(input).Body;
        const int cap = 1000;
        var decoder = new SmtpDataDecoder(cap);
        var output = new ArrayBufferWriter<byte>();
        SmtpDataStatus status = SmtpDataStatus.NeedMoreData;
        for (int offset = 0; status == SmtpDataStatus.NeedMoreData; offset += 37)
        {
            status = decoder.Decode(new ReadOnlySequence<byte>(input, offset, Math.Min(37, input.Length - offset)), output, out _);
        }

        Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo(body.Take(cap).ToArray()));
        Assert.That(decoder.MessageSize, Is.EqualTo(body.Length));
        Assert.That(decoder.SizeExceeded, Is.True);
    }

    [Test]
    public void Crlf_dot_crlf_at_every_offset_of_a_block_ends_the_data_there()
    {
        for (int offset = 0; offset < 100; offset++)
        {
            byte[] input = [.. Enumerable.Repeat((byte)'a', offset), .. "\r\n.\r\n"u8.ToArray(), .. Enumerable.Repeat((byte)'b', 100)];
            var decoder = new SmtpDataDecoder(long.MaxValue);
            var output = new ArrayBufferWriter<byte>();
            ReadOnlySequence<byte> seq = Segments.Whole(input);
            Assert.That(decoder.Decode(seq, output, out SequencePosition consumed), Is.EqualTo(SmtpDataStatus.Completed), $"@{offset}");
            Assert.That(seq.Slice(0, consumed).Length, Is.EqualTo(offset + 5), $"@{offset}");
            Assert.That(output.WrittenCount, Is.EqualTo(offset + 2), $"@{offset}");
            Assert.That(decoder.RejectMessage, Is.False, $"@{offset}");
        }
    }

    /// <summary>A writer whose spans are exactly as long as asked, or a few bytes longer.</summary>
    private sealed class ExactWriter(Random random, int maxExtra) : IBufferWriter<byte>
    {
        private readonly List<byte> _written = [];
        private byte[] _current = [];

        public byte[] ToArray() => [.. _written];

        public void Advance(int count)
        {
            Assert.That(count, Is.InRange(0, _current.Length));
            _written.AddRange(_current.Take(count));
            _current = [];
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => _current = new byte[Math.Max(sizeHint, 1) + random.Next(maxExtra + 1)];

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }
}
