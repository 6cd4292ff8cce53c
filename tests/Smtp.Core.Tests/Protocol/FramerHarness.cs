using System.Buffers;
using System.Text;
using Smtp.Core.Protocol;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Protocol;

/// <summary>Runs the line framer over inputs in every segment shape and in pipe-like chunks.</summary>
internal static class FramerHarness
{
    /// <summary>
    /// Reads from one sequence until the framer needs more data; returns the events ("Line:text",
    /// "LineTooLong", ...) and the octets consumed.
    /// </summary>
    public static (List<string> Events, long Consumed) Drain(ReadOnlySequence<byte> sequence, ref SmtpLineFramer framer)
    {
        var events = new List<string>();
        var reader = new SequenceReader<byte>(sequence);
        while (true)
        {
            long before = reader.Consumed;
            SmtpLineStatus status = framer.TryReadLine(ref reader, out var line);
            if (status == SmtpLineStatus.NeedMoreData)
            {
                // A partial line is never consumed unless the framer is discarding a rejected one.
                if (!framer.IsSkipping)
                {
                    Assert.That(reader.Consumed, Is.EqualTo(before), "need-more must not consume a partial line");
                }

                return (events, reader.Consumed);
            }

            events.Add(status == SmtpLineStatus.Line ? "Line:" + Encoding.Latin1.GetString(line.ToArray()) : status.ToString());
        }
    }

    /// <summary>Asserts every shape of the input yields the same events and consumption, and returns them.</summary>
    public static (List<string> Events, long Consumed) DrainAllShapes(string input, int max = SmtpLineFramer.DefaultMaxLineLength, BareLineEndingPolicy policy = BareLineEndingPolicy.Reject)
    {
        (List<string> Events, long Consumed)? first = null;
        foreach (var (shape, sequence) in Segments.AllShapes(Encoding.Latin1.GetBytes(input)))
        {
            var framer = new SmtpLineFramer(max, policy);
            var result = Drain(sequence, ref framer);
            if (first is null)
            {
                first = result;
                continue;
            }

            Assert.That(result.Events, Is.EqualTo(first.Value.Events), shape);
            Assert.That(result.Consumed, Is.EqualTo(first.Value.Consumed), shape);
        }

        return first!.Value;
    }

    /// <summary>
    /// Feeds the input in chunks the way a pipe does (unconsumed bytes stay buffered, new bytes are appended),
    /// returning the events and the largest number of octets ever buffered.
    /// </summary>
    public static (List<string> Events, int MaxBuffered) Pipe(byte[] input, int chunk, ref SmtpLineFramer framer)
    {
        var events = new List<string>();
        var buffer = new List<byte>();
        int maxBuffered = 0;
        for (int offset = 0; offset < input.Length; offset += chunk)
        {
            buffer.AddRange(input.AsSpan(offset, Math.Min(chunk, input.Length - offset)).ToArray());
            maxBuffered = Math.Max(maxBuffered, buffer.Count);
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer.ToArray()));
            while (true)
            {
                SmtpLineStatus status = framer.TryReadLine(ref reader, out var line);
                if (status == SmtpLineStatus.NeedMoreData)
                {
                    break;
                }

                events.Add(status == SmtpLineStatus.Line ? "Line:" + Encoding.Latin1.GetString(line.ToArray()) : status.ToString());
            }

            buffer.RemoveRange(0, (int)reader.Consumed);
        }

        return (events, maxBuffered);
    }
}
