using System.Buffers;
using System.Text;
using Smtp.Core.Protocol;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Protocol;

public class SmtpChunkReaderTests
{
    [Test]
    public void Chunk_is_copied_exactly_without_unstuffing_and_the_rest_is_left()
    {
        byte[] data = Encoding.ASCII.GetBytes("..a\r\n.\r\nRSET\r\n");
        foreach (var (shape, seq) in Segments.AllShapes(data))
        {
            var reader = new SmtpChunkReader(long.MaxValue);
            reader.BeginChunk(8);
            var output = new ArrayBufferWriter<byte>();
            Assert.That(reader.Read(seq, output, out SequencePosition consumed), Is.EqualTo(SmtpDataStatus.Completed), shape);
            Assert.That(seq.Slice(0, consumed).Length, Is.EqualTo(8), shape);
            Assert.That(Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo("..a\r\n.\r\n"), shape);
            Assert.That(reader.Remaining, Is.Zero);
        }
    }

    [Test]
    public void Chunk_arriving_in_pieces_needs_more_data_until_complete()
    {
        var reader = new SmtpChunkReader(long.MaxValue);
        reader.BeginChunk(5);
        var output = new ArrayBufferWriter<byte>();
        Assert.That(reader.Read(Segments.Whole("abc"u8), output, out _), Is.EqualTo(SmtpDataStatus.NeedMoreData));
        Assert.That(reader.Remaining, Is.EqualTo(2));
        Assert.That(reader.Read(Segments.Whole("deXYZ"u8), output, out _), Is.EqualTo(SmtpDataStatus.Completed));
        Assert.That(Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo("abcde"));
        reader.BeginChunk(0);
        Assert.That(reader.Read(ReadOnlySequence<byte>.Empty, output, out _), Is.EqualTo(SmtpDataStatus.Completed));
    }

    [Test]
    public void Cap_over_several_chunks_stops_writing_but_consumes_every_octet()
    {
        var reader = new SmtpChunkReader(6);
        var output = new ArrayBufferWriter<byte>();
        reader.BeginChunk(4);
        Assert.That(reader.Read(Segments.Whole("abcd"u8), output, out _), Is.EqualTo(SmtpDataStatus.Completed));
        reader.BeginChunk(4);
        ReadOnlySequence<byte> second = Segments.Split("efgh"u8, 1, 3);
        Assert.That(reader.Read(second, output, out SequencePosition consumed), Is.EqualTo(SmtpDataStatus.Completed));
        Assert.That(consumed, Is.EqualTo(second.End));
        Assert.That(Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo("abcdef"));
        Assert.That(reader.SizeExceeded, Is.True);
        Assert.That(reader.MessageSize, Is.EqualTo(8));
        Assert.That(reader.BytesWritten, Is.EqualTo(6));
    }

    [Test]
    public void New_chunk_before_the_previous_is_read_is_a_programming_error()
    {
        var reader = new SmtpChunkReader(100);
        reader.BeginChunk(3);
        Assert.That(() => reader.BeginChunk(1), Throws.InvalidOperationException);
    }
}
