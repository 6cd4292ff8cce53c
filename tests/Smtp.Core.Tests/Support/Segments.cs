using System.Buffers;

namespace Smtp.Core.Tests.Support;

/// <summary>
/// Builds <see cref="ReadOnlySequence{T}"/> inputs the way a socket may deliver them: whole, split at
/// every offset, and one byte per segment. Every parser test feeds its input through <see cref="AllShapes"/>.
/// </summary>
public static class Segments
{
    /// <summary>One contiguous segment.</summary>
    public static ReadOnlySequence<byte> Whole(ReadOnlySpan<byte> data) => new(data.ToArray());

    /// <summary>Splits the data into segments ending at the given offsets.</summary>
    public static ReadOnlySequence<byte> Split(ReadOnlySpan<byte> data, params int[] cuts)
    {
        if (cuts.Length == 0)
        {
            return Whole(data);
        }

        Segment? first = null;
        Segment? last = null;
        int start = 0;
        foreach (int cut in cuts.Append(data.Length))
        {
            // Empty segments are legal in a ReadOnlySequence and parsers must cope with them.
            var piece = data[start..cut].ToArray();
            last = last is null ? (first = new Segment(piece, 0)) : last.Append(piece);
            start = cut;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>One byte per segment.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(ReadOnlySpan<byte> data)
        => data.Length <= 1 ? Whole(data) : Split(data, Enumerable.Range(1, data.Length - 1).ToArray());

    /// <summary>Every shape: whole, split in two at every offset, and one byte per segment, each with a label.</summary>
    public static IEnumerable<(string Shape, ReadOnlySequence<byte> Sequence)> AllShapes(ReadOnlyMemory<byte> data)
    {
        yield return ("whole", Whole(data.Span));
        for (int i = 0; i <= data.Length; i++)
        {
            yield return ($"split@{i}", Split(data.Span, i));
        }

        yield return ("bytewise", OneBytePerSegment(data.Span));
    }

    /// <summary>Every shape of an ASCII/UTF-8 string.</summary>
    public static IEnumerable<(string Shape, ReadOnlySequence<byte> Sequence)> AllShapes(string text)
        => AllShapes(System.Text.Encoding.UTF8.GetBytes(text));

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
