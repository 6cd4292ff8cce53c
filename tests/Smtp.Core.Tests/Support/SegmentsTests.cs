using System.Buffers;
using System.Text;

namespace Smtp.Core.Tests.Support;

public class SegmentsTests
{
    [Test]
    public void Every_shape_holds_the_same_bytes()
    {
        var data = "EHLO example.org\r\n"u8.ToArray();
        foreach (var (shape, seq) in Segments.AllShapes(data))
        {
            Assert.That(seq.ToArray(), Is.EqualTo(data), shape);
        }
    }

    [Test]
    public void Bytewise_shape_has_one_byte_per_segment()
    {
        var seq = Segments.OneBytePerSegment(Encoding.ASCII.GetBytes("QUIT\r\n"));
        int segments = 0;
        foreach (var memory in seq)
        {
            Assert.That(memory.Length, Is.EqualTo(1));
            segments++;
        }

        Assert.That(segments, Is.EqualTo(6));
    }
}
