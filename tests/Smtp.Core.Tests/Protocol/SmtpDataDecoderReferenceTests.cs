using System.Buffers;
using Smtp.Core.Protocol;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Protocol;

/// <summary>
/// Compares the decoder, whose fast path skips clean lines 32 bytes at a time, with a byte-at-a-time reference
/// on long inputs full of the characters that matter, placed at every alignment.
/// </summary>
public class SmtpDataDecoderReferenceTests
{
    /// <summary>The plain reading of RFC 5321 §4.1.1.4 and §4.5.2, one byte at a time.</summary>
    private static (byte[] Body, int Consumed, bool BareCr, bool BareLf) Reference(byte[] input)
    {
        var body = new List<byte>();
        bool lineStart = true;
        bool bareCr = false;
        bool bareLf = false;
        int i = 0;
        while (i < input.Length)
        {
            if (lineStart && input[i] == '.')
            {
                if (i + 2 < input.Length && input[i + 1] == '\r' && input[i + 2] == '\n')
                {
                    return ([.. body], i + 3, bareCr, bareLf);
                }

                i++;
                lineStart = false;
                continue;
            }

            lineStart = false;
            byte b = input[i];
            if (b == '\r' && i + 1 < input.Length && input[i + 1] == '\n')
            {
                body.Add((byte)'\r');
                body.Add((byte)'\n');
                i += 2;
                lineStart = true;
                continue;
            }

            bareCr |= b == '\r';
            bareLf |= b == '\n';
            body.Add(b);
            i++;
        }

        throw new InvalidOperationException("Test inputs always end with a terminator.");
    }

    private static byte[] RandomMessage(Random random)
    {
        var bytes = new List<byte>();
        int length = random.Next(0, 3000);
        while (bytes.Count < length)
        {
            int roll = random.Next(100);
            if (roll < 6)
            {
                bytes.AddRange("\r\n"u8.ToArray());
            }
            else if (roll < 8)
            {
                bytes.AddRange("\r\n."u8.ToArray());
            }
            else if (roll < 9)
            {
                bytes.Add((byte)'\r');
            }
            else if (roll < 10)
            {
                bytes.Add((byte)'\n');
            }
            else if (roll < 11)
            {
                bytes.Add((byte)'.');
            }
            else
            {
                // Long clean runs so the vectorized skip is exercised.
                int run = random.Next(1, 90);
                for (int k = 0; k < run; k++)
                {
                    bytes.Add((byte)random.Next('A', 'z' + 1));
                }
            }
        }

        bytes.AddRange("\r\n.\r\nQUIT\r\n"u8.ToArray());
        return [.. bytes];
    }

    [Test]
    public void Decoder_agrees_with_the_byte_at_a_time_reference_on_long_random_messages()
    {
        var random = new Random(20231218);
        for (int n = 0; n < 1500; n++)
        {
            byte[] input = RandomMessage(random);
            var expected = Reference(input);
            int cut1 = random.Next(input.Length + 1);
            int cut2 = random.Next(cut1, input.Length + 1);
            foreach (var (shape, seq) in new[] { ("whole", Segments.Whole(input)), ("split", Segments.Split(input, cut1, cut2)) })
            {
                var decoder = new SmtpDataDecoder(long.MaxValue, BareLineEndingPolicy.Allow);
                var output = new ArrayBufferWriter<byte>();
                SmtpDataStatus status = decoder.Decode(seq, output, out SequencePosition consumed);
                string label = $"case {n} {shape}";
                Assert.That(status, Is.EqualTo(SmtpDataStatus.Completed), label);
                Assert.That(seq.Slice(0, consumed).Length, Is.EqualTo(expected.Consumed), label);
                Assert.That(output.WrittenSpan.SequenceEqual(expected.Body), Is.True, label);
                Assert.That((decoder.BareCarriageReturnSeen, decoder.BareLineFeedSeen), Is.EqualTo((expected.BareCr, expected.BareLf)), label);
            }
        }
    }

    [Test]
    public void Smuggling_variant_at_every_alignment_of_a_long_line_does_not_end_the_data()
    {
        string[] variants = ["\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r", "\r.\r\n", "\r\n.\r", "\n.\r", "\r\n.\r\r\n"];
        foreach (string variant in variants)
        {
            for (int offset = 0; offset < 70; offset++)
            {
                byte[] input = [.. new byte[offset].Select(_ => (byte)'a'), .. System.Text.Encoding.ASCII.GetBytes(variant), .. new byte[80].Select(_ => (byte)'b'), .. "\r\n.\r\n"u8.ToArray()];
                var expected = Reference(input);
                var decoder = new SmtpDataDecoder(long.MaxValue);
                var output = new ArrayBufferWriter<byte>();
                ReadOnlySequence<byte> seq = Segments.Whole(input);
                SmtpDataStatus status = decoder.Decode(seq, output, out SequencePosition consumed);
                Assert.That(status, Is.EqualTo(SmtpDataStatus.Completed));
                Assert.That(seq.Slice(0, consumed).Length, Is.EqualTo(input.Length), $"{variant.Replace("\r", "CR").Replace("\n", "LF")} @{offset}");
                Assert.That(output.WrittenSpan.SequenceEqual(expected.Body), Is.True);
                Assert.That(decoder.RejectMessage, Is.True);
            }
        }
    }
}
