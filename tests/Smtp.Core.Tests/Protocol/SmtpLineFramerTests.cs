using System.Buffers;
using System.Text;
using Smtp.Core.Protocol;

namespace Smtp.Core.Tests.Protocol;

public class SmtpLineFramerTests
{
    [Test]
    public void A_complete_line_is_returned_without_its_crlf_and_consumed()
    {
        var (events, consumed) = FramerHarness.DrainAllShapes("EHLO client.example\r\n");
        Assert.That(events, Is.EqualTo(new[] { "Line:EHLO client.example" }));
        Assert.That(consumed, Is.EqualTo(21));
    }

    [Test]
    public void Pipelined_lines_are_returned_one_by_one()
    {
        var (events, consumed) = FramerHarness.DrainAllShapes("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n");
        Assert.That(events, Is.EqualTo(new[] { "Line:MAIL FROM:<a@b>", "Line:RCPT TO:<c@d>", "Line:DATA" }));
        Assert.That(consumed, Is.EqualTo(38));
    }

    [Test]
    public void An_empty_line_is_a_line()
    {
        var (events, consumed) = FramerHarness.DrainAllShapes("\r\n");
        Assert.That(events, Is.EqualTo(new[] { "Line:" }));
        Assert.That(consumed, Is.EqualTo(2));
    }

    [TestCase("EHLO a")]
    [TestCase("EHLO a\r")]
    [TestCase("")]
    public void A_partial_line_needs_more_data_and_is_not_consumed(string input)
    {
        var (events, consumed) = FramerHarness.DrainAllShapes(input);
        Assert.That(events, Is.Empty);
        Assert.That(consumed, Is.Zero);
    }

    [Test]
    public void A_partial_line_after_a_complete_one_stays_unconsumed()
    {
        var (events, consumed) = FramerHarness.DrainAllShapes("NOOP\r\nQUI");
        Assert.That(events, Is.EqualTo(new[] { "Line:NOOP" }));
        Assert.That(consumed, Is.EqualTo(6));
    }

    [Test]
    public void A_bare_lf_is_rejected_and_its_line_discarded_through_the_next_crlf()
    {
        var (events, consumed) = FramerHarness.DrainAllShapes("QUIT\nRSET\r\nNOOP\r\n");
        Assert.That(events, Is.EqualTo(new[] { "BareLineFeed", "Line:NOOP" }));
        Assert.That(consumed, Is.EqualTo(17));
    }

    [Test]
    public void A_bare_cr_is_rejected_and_its_line_discarded_through_the_next_crlf()
    {
        var (events, consumed) = FramerHarness.DrainAllShapes("QU\rIT\r\nNOOP\r\n");
        Assert.That(events, Is.EqualTo(new[] { "BareCarriageReturn", "Line:NOOP" }));
        Assert.That(consumed, Is.EqualTo(13));
    }

    [Test]
    public void A_cr_followed_by_crlf_is_a_bare_cr()
    {
        var (events, _) = FramerHarness.DrainAllShapes("NOOP\r\r\nQUIT\r\n");
        Assert.That(events, Is.EqualTo(new[] { "BareCarriageReturn", "Line:QUIT" }));
    }

    [Test]
    public void Smuggled_lf_dot_lf_sequence_never_ends_a_line()
    {
        var (events, _) = FramerHarness.DrainAllShapes("DATA\n.\nMAIL FROM:<x@y>\r\n", policy: BareLineEndingPolicy.Allow);
        Assert.That(events, Is.EqualTo(new[] { "Line:DATA\n.\nMAIL FROM:<x@y>" }));
    }

    [Test]
    public void Under_allow_policy_bare_cr_and_lf_are_content()
    {
        var (events, consumed) = FramerHarness.DrainAllShapes("A\rB\nC\r\nD\r\r\n", policy: BareLineEndingPolicy.Allow);
        Assert.That(events, Is.EqualTo(new[] { "Line:A\rB\nC", "Line:D\r" }));
        Assert.That(consumed, Is.EqualTo(11));
    }

    [Test]
    public void Under_allow_policy_a_trailing_cr_needs_more_data()
    {
        var (events, consumed) = FramerHarness.DrainAllShapes("NOOP\r", policy: BareLineEndingPolicy.Allow);
        Assert.That(events, Is.Empty);
        Assert.That(consumed, Is.Zero);
    }

    [Test]
    public void A_line_of_exactly_the_limit_is_accepted()
    {
        var (events, _) = FramerHarness.DrainAllShapes("01234567\r\n", max: 10);
        Assert.That(events, Is.EqualTo(new[] { "Line:01234567" }));
    }

    [TestCase(BareLineEndingPolicy.Reject)]
    [TestCase(BareLineEndingPolicy.Allow)]
    public void A_line_one_past_the_limit_is_reported_once_and_skipped(BareLineEndingPolicy policy)
    {
        var (events, consumed) = FramerHarness.DrainAllShapes("012345678\r\nNOOP\r\n", max: 10, policy: policy);
        Assert.That(events, Is.EqualTo(new[] { "LineTooLong", "Line:NOOP" }));
        Assert.That(consumed, Is.EqualTo(17));
    }

    [Test]
    public void A_long_line_without_end_is_consumed_while_skipping()
    {
        var (events, consumed) = FramerHarness.DrainAllShapes(new string('x', 40), max: 10);
        Assert.That(events, Is.EqualTo(new[] { "LineTooLong" }));
        Assert.That(consumed, Is.EqualTo(40), "skipped bytes are consumed, not buffered");
    }

    [Test]
    public void Too_long_is_reported_after_examining_no_more_than_the_limit()
    {
        var data = Encoding.ASCII.GetBytes(new string('x', 5000) + "\r\n");
        var framer = new SmtpLineFramer(512);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(data));
        Assert.That(framer.TryReadLine(ref reader, out _), Is.EqualTo(SmtpLineStatus.LineTooLong));
        Assert.That(reader.Consumed, Is.LessThanOrEqualTo(512 + 2));
        Assert.That(framer.IsSkipping, Is.True);
        Assert.That(framer.TryReadLine(ref reader, out _), Is.EqualTo(SmtpLineStatus.NeedMoreData));
        Assert.That(reader.End, Is.True);
        Assert.That(framer.IsSkipping, Is.False);
    }

    [Test]
    public void Sixteen_mebibytes_without_a_line_end_keep_the_buffer_bounded()
    {
        var data = new byte[16 * 1024 * 1024];
        data.AsSpan().Fill((byte)'A');
        var framer = new SmtpLineFramer();
        var (events, maxBuffered) = FramerHarness.Pipe(data, 4096, ref framer);
        Assert.That(events, Is.EqualTo(new[] { "LineTooLong" }));
        Assert.That(maxBuffered, Is.LessThanOrEqualTo(4096 + SmtpLineFramer.DefaultMaxLineLength + 2));
        Assert.That(framer.IsSkipping, Is.True);

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("\r\nQUIT\r\n"u8.ToArray()));
        Assert.That(framer.TryReadLine(ref reader, out var line), Is.EqualTo(SmtpLineStatus.Line));
        Assert.That(Encoding.ASCII.GetString(line.ToArray()), Is.EqualTo("QUIT"));
    }

    [Test]
    public void Pipe_delivery_in_any_chunk_size_yields_the_same_events()
    {
        var data = Encoding.Latin1.GetBytes("EHLO a\r\n" + new string('y', 30) + "\r\nQU\nIT\r\nX\rY\r\nRSET\r\n");
        for (int chunk = 1; chunk <= data.Length; chunk++)
        {
            var framer = new SmtpLineFramer(16);
            var (events, maxBuffered) = FramerHarness.Pipe(data, chunk, ref framer);
            Assert.That(events, Is.EqualTo(new[] { "Line:EHLO a", "LineTooLong", "BareLineFeed", "BareCarriageReturn", "Line:RSET" }), $"chunk {chunk}");
            Assert.That(maxBuffered, Is.LessThanOrEqualTo(16 + chunk), $"chunk {chunk}");
        }
    }

    [Test]
    public void The_limit_can_be_raised_for_auth_lines_and_restored()
    {
        string auth = new('Q', 1000);
        var data = Encoding.ASCII.GetBytes(auth + "\r\n" + auth + "\r\n");
        var framer = new SmtpLineFramer();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(data));
        framer.MaxLineLength = SmtpLineFramer.AuthMaxLineLength;
        Assert.That(framer.TryReadLine(ref reader, out var line), Is.EqualTo(SmtpLineStatus.Line));
        Assert.That(line.Length, Is.EqualTo(1000));
        framer.MaxLineLength = SmtpLineFramer.DefaultMaxLineLength;
        Assert.That(framer.TryReadLine(ref reader, out _), Is.EqualTo(SmtpLineStatus.LineTooLong));
    }

    [Test]
    public void Reset_forgets_a_line_being_discarded()
    {
        var framer = new SmtpLineFramer(8);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("0123456789"u8.ToArray()));
        Assert.That(framer.TryReadLine(ref reader, out _), Is.EqualTo(SmtpLineStatus.LineTooLong));
        Assert.That(framer.IsSkipping, Is.True);
        framer.Reset();
        Assert.That(framer.IsSkipping, Is.False);
        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("QUIT\r\n"u8.ToArray()));
        Assert.That(framer.TryReadLine(ref reader, out var line), Is.EqualTo(SmtpLineStatus.Line));
        Assert.That(line.Length, Is.EqualTo(4));
    }

    [Test]
    public void A_default_framer_uses_the_rfc_limit_and_rejects_bare_line_ends()
    {
        var framer = default(SmtpLineFramer);
        Assert.That(framer.MaxLineLength, Is.EqualTo(512));
        Assert.That(framer.Policy, Is.EqualTo(BareLineEndingPolicy.Reject));
    }

    [Test]
    public void A_limit_below_two_is_refused()
    {
        Assert.That(() => new SmtpLineFramer(1), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
