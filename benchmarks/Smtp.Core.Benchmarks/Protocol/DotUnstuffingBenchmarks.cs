using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Smtp.Core.Protocol;

namespace Smtp.Core.Benchmarks.Protocol;

/// <summary>
/// Decoding a ~1 MB DATA body (76-character lines, one in 16 dot-stuffed) against a plain copy of the same bytes
/// into the same preallocated writer. Goal: the decoder within 2x of the copy.
/// </summary>
[MemoryDiagnoser]
public class DotUnstuffingBenchmarks
{
    private byte[] _wire = [];
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _segmented;
    private ArrayBufferWriter<byte> _output = new();
    private SmtpDataDecoder _decoder = new(long.MaxValue);

    /// <summary>Builds the message once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder();
        var random = new Random(42);
        int line = 0;
        while (text.Length < 1024 * 1024)
        {
            // Every 16th line starts with a dot, stuffed on the wire as two (RFC 5321 §4.5.2).
            if (line++ % 16 == 0)
            {
                text.Append("..");
            }

            for (int i = 0; i < 76; i++)
            {
                text.Append((char)random.Next('A', 'z' + 1));
            }

            text.Append("\r\n");
        }

        text.Append(".\r\n");
        _wire = Encoding.ASCII.GetBytes(text.ToString());
        _single = new ReadOnlySequence<byte>(_wire);
        _segmented = BenchmarkSegments.Split(_wire, 4096);
        _output = new ArrayBufferWriter<byte>(_wire.Length + 4096);
        _decoder = new SmtpDataDecoder(long.MaxValue);
    }

    /// <summary>The baseline: copy the same bytes into the same writer.</summary>
    [Benchmark(Baseline = true)]
    public int Copy()
    {
        _output.ResetWrittenCount();
        _wire.AsSpan().CopyTo(_output.GetSpan(_wire.Length));
        _output.Advance(_wire.Length);
        return _output.WrittenCount;
    }

    /// <summary>Decode from one contiguous segment.</summary>
    [Benchmark]
    public int Decode_single_segment()
    {
        _output.ResetWrittenCount();
        _decoder.Reset();
        var reader = new SequenceReader<byte>(_single);
        _decoder.Decode(ref reader, _output);
        return _output.WrittenCount;
    }

    /// <summary>Decode from 4 KiB segments, as a pipe delivers them.</summary>
    [Benchmark]
    public int Decode_4KiB_segments()
    {
        _output.ResetWrittenCount();
        _decoder.Reset();
        var reader = new SequenceReader<byte>(_segmented);
        _decoder.Decode(ref reader, _output);
        return _output.WrittenCount;
    }
}
