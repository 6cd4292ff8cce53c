using System.Buffers;
using System.Text;
using Smtp.Core.Protocol;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Protocol;

public class SmtpDataDecoderTests
{
    private static byte[] Bytes(string s) => Encoding.Latin1.GetBytes(s);

    /// <summary>Decodes every shape of <paramref name="input"/> in one call, then the input fed one byte per call,
    /// and checks the body, the consumed length and the status each time.</summary>
    private static void AssertDecodes(
        string input,
        string expectedBody,
        int expectedConsumed,
        long max = long.MaxValue,
        BareLineEndingPolicy policy = BareLineEndingPolicy.Reject,
        Action<SmtpDataDecoder>? check = null)
    {
        byte[] data = Bytes(input);
        foreach (var (shape, seq) in Segments.AllShapes(data))
        {
            var decoder = new SmtpDataDecoder(max, policy);
            var output = new ArrayBufferWriter<byte>();
            SmtpDataStatus status = decoder.Decode(seq, output, out SequencePosition consumed);
            Assert.That(status, Is.EqualTo(SmtpDataStatus.Completed), shape);
            Assert.That(seq.Slice(0, consumed).Length, Is.EqualTo(expectedConsumed), shape);
            Assert.That(Encoding.Latin1.GetString(output.WrittenSpan), Is.EqualTo(expectedBody), shape);
            check?.Invoke(decoder);
        }

        // One byte per call, the way a slow client sends: the state machine must carry across calls.
        var piecewise = new SmtpDataDecoder(max, policy);
        var pieceOutput = new ArrayBufferWriter<byte>();
        int offset = 0;
        SmtpDataStatus last = SmtpDataStatus.NeedMoreData;
        while (offset < data.Length && last == SmtpDataStatus.NeedMoreData)
        {
            var one = new ReadOnlySequence<byte>(data, offset, 1);
            last = piecewise.Decode(one, pieceOutput, out SequencePosition c);
            offset += (int)one.Slice(0, c).Length;
        }

        Assert.That(last, Is.EqualTo(SmtpDataStatus.Completed), "piecewise");
        Assert.That(offset, Is.EqualTo(expectedConsumed), "piecewise");
        Assert.That(Encoding.Latin1.GetString(pieceOutput.WrittenSpan), Is.EqualTo(expectedBody), "piecewise");
        check?.Invoke(piecewise);
    }

    [Test]
    public void Simple_body_keeps_its_final_crlf_and_drops_the_terminator()
        => AssertDecodes("Subject: x\r\n\r\nHello\r\n.\r\n", "Subject: x\r\n\r\nHello\r\n", 24);

    [Test]
    public void Terminator_straight_after_354_is_an_empty_message()
        => AssertDecodes(".\r\n", string.Empty, 3, check: d => Assert.That(d.MessageSize, Is.Zero));

    [Test]
    public void Leading_dot_is_removed_on_the_first_line()
        => AssertDecodes(".x\r\n.\r\n", "x\r\n", 7);

    [Test]
    public void Leading_dot_is_removed_on_later_lines_and_double_dot_becomes_one()
        => AssertDecodes("a\r\n..\r\n..b\r\n.c.\r\nd.\r\n.\r\n", "a\r\n.\r\n.b\r\nc.\r\nd.\r\n", 24);

    [Test]
    public void Dot_inside_a_line_is_content()
        => AssertDecodes("a.b\r\n\r\n.\r\n", "a.b\r\n\r\n", 10);

    [Test]
    public void Bytes_after_the_terminator_are_not_consumed()
        => AssertDecodes("hi\r\n.\r\nQUIT\r\n", "hi\r\n", 7);

    [Test]
    public void Body_without_final_newline_before_terminator_is_impossible_so_crlf_dot_crlf_is_required()
        => AssertDecodes("a.\r\n.\r\n", "a.\r\n", 7);

    // Each variant is followed by more content and the real terminator: none of them may end the data.
    [TestCase("a\n.\nb\r\n.\r\n", "a\n.\nb\r\n", false, true)]
    [TestCase("a\n.\r\nb\r\n.\r\n", "a\n.\r\nb\r\n", false, true)]
    [TestCase("a\r\n.\nb\r\n.\r\n", "a\r\n\nb\r\n", false, true)]
    [TestCase("a\r.\rb\r\n.\r\n", "a\r.\rb\r\n", true, false)]
    [TestCase("a\r.\r\nb\r\n.\r\n", "a\r.\r\nb\r\n", true, false)]
    [TestCase("a\r\n.\rb\r\n.\r\n", "a\r\n\rb\r\n", true, false)]
    [TestCase("a\r\n.\r\r\n.\r\n", "a\r\n\r\r\n", true, false)]
    [TestCase("a\n\r.\r\nb\r\n.\r\n", "a\n\r.\r\nb\r\n", true, true)]
    [TestCase(".\n.\r\n.\r\n", "\n.\r\n", false, true)]
    [TestCase(".\r.\r\n.\r\n", "\r.\r\n", true, false)]
    public void Smuggling_variant_does_not_end_the_data_and_is_flagged_under_reject(string input, string body, bool bareCr, bool bareLf)
    {
        AssertDecodes(input, body, input.Length, policy: BareLineEndingPolicy.Reject, check: d =>
        {
            Assert.That(d.BareCarriageReturnSeen, Is.EqualTo(bareCr));
            Assert.That(d.BareLineFeedSeen, Is.EqualTo(bareLf));
            Assert.That(d.RejectMessage, Is.True);
        });
    }

    [TestCase("a\n.\nb\r\n.\r\n", "a\n.\nb\r\n")]
    [TestCase("a\r.\rb\r\n.\r\n", "a\r.\rb\r\n")]
    public void Bare_line_ending_under_allow_is_content_and_the_message_is_not_rejected(string input, string body)
        => AssertDecodes(input, body, input.Length, policy: BareLineEndingPolicy.Allow, check: d => Assert.That(d.RejectMessage, Is.False));

    [Test]
    public void Clean_message_is_not_rejected()
        => AssertDecodes("a\r\n.\r\n", "a\r\n", 6, check: d => Assert.That(d.RejectMessage, Is.False));

    [Test]
    public void Smuggled_terminator_without_a_real_one_needs_more_data()
    {
        foreach (string variant in new[] { "a\n.\n", "a\r\n.\n", "a\n.\r\n", "a\r.\r", "a\r\n.\r", "a\r.\r\n" })
        {
            foreach (var (shape, seq) in Segments.AllShapes(Bytes(variant)))
            {
                var decoder = new SmtpDataDecoder(long.MaxValue);
                SmtpDataStatus status = decoder.Decode(seq, new ArrayBufferWriter<byte>(), out SequencePosition consumed);
                Assert.That(status, Is.EqualTo(SmtpDataStatus.NeedMoreData), $"{variant} {shape}");
                Assert.That(consumed, Is.EqualTo(seq.End), $"{variant} {shape}: everything is consumed");
            }
        }
    }

    [Test]
    public void Size_cap_exceeded_stops_writing_drains_to_the_end_and_is_flagged()
        => AssertDecodes("0123456789\r\n..x\r\n.\r\nNOOP", "01234", 20, max: 5, check: d =>
        {
            Assert.That(d.SizeExceeded, Is.True);
            Assert.That(d.BytesWritten, Is.EqualTo(5));
            Assert.That(d.MessageSize, Is.EqualTo(16));
        });

    [Test]
    public void Message_exactly_at_the_cap_is_accepted()
        => AssertDecodes("abc\r\n.\r\n", "abc\r\n", 8, max: 5, check: d => Assert.That(d.SizeExceeded, Is.False));

    [Test]
    public void After_completion_nothing_more_is_consumed_until_reset()
    {
        var decoder = new SmtpDataDecoder(100);
        var output = new ArrayBufferWriter<byte>();
        Assert.That(decoder.Decode(Segments.Whole(".\r\n"u8), output, out _), Is.EqualTo(SmtpDataStatus.Completed));
        ReadOnlySequence<byte> next = Segments.Whole("x\r\n.\r\n"u8);
        Assert.That(decoder.Decode(next, output, out SequencePosition consumed), Is.EqualTo(SmtpDataStatus.Completed));
        Assert.That(consumed, Is.EqualTo(next.Start));
        decoder.Reset();
        Assert.That(decoder.Decode(next, output, out consumed), Is.EqualTo(SmtpDataStatus.Completed));
        Assert.That(consumed, Is.EqualTo(next.End));
        Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo("x\r\n"u8.ToArray()));
    }

    [Test]
    public void Sixteen_MiB_without_terminator_is_drained_in_bounded_memory()
    {
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < chunk.Length; i++)
        {
            chunk[i] = (i % 78) switch { 76 => (byte)'\r', 77 => (byte)'\n', 0 => (byte)'.', _ => (byte)'x' };
        }

        var decoder = new SmtpDataDecoder(1024 * 1024);
        var sink = new DiscardingWriter();
        int completed = 0;
        int leftOver = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int n = 0; n < 256; n++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(chunk));
            completed += decoder.Decode(ref reader, sink) == SmtpDataStatus.Completed ? 1 : 0;
            leftOver += (int)reader.Remaining;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(completed, Is.Zero);
        Assert.That(leftOver, Is.Zero, "every chunk is consumed whole");
        Assert.That(allocated, Is.LessThan(64 * 1024), "decoding must not buffer the data");
        Assert.That(decoder.SizeExceeded, Is.True);
        Assert.That(decoder.BytesWritten, Is.EqualTo(1024 * 1024));
        Assert.That(sink.Total, Is.EqualTo(1024 * 1024));
        Assert.That(decoder.MessageSize, Is.LessThan(16L * 1024 * 1024).And.GreaterThan(15L * 1024 * 1024));
    }

    [Test]
    public void Negative_cap_is_refused()
        => Assert.That(() => new SmtpDataDecoder(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());

    /// <summary>An output that reuses one buffer, as a store that streams to disk would.</summary>
    internal sealed class DiscardingWriter : IBufferWriter<byte>
    {
        private readonly byte[] _buffer = new byte[32 * 1024];

        public long Total { get; private set; }

        public void Advance(int count) => Total += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => _buffer;

        public Span<byte> GetSpan(int sizeHint = 0) => _buffer;
    }
}
