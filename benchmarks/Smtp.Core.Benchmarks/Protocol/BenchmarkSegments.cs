using System.Buffers;

namespace Smtp.Core.Benchmarks.Protocol;

/// <summary>Builds multi-segment sequences the way a pipe hands them out.</summary>
internal static class BenchmarkSegments
{
    public static ReadOnlySequence<byte> Split(byte[] data, int segmentSize)
    {
        Segment first = new(data.AsMemory(0, Math.Min(segmentSize, data.Length)), 0);
        Segment last = first;
        for (int offset = segmentSize; offset < data.Length; offset += segmentSize)
        {
            last = last.Append(data.AsMemory(offset, Math.Min(segmentSize, data.Length - offset)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
