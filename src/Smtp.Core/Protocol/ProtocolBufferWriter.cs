using System.Buffers;
using System.Text;

namespace Smtp.Core.Protocol;

/// <summary>
/// A small writer over <see cref="IBufferWriter{T}"/> that fills the span it holds and calls
/// <see cref="IBufferWriter{T}.Advance"/> once per span rather than once per write.
/// </summary>
/// <remarks>Call <see cref="Commit"/> when done; bytes written but not committed are not part of the output.</remarks>
internal ref struct ProtocolBufferWriter
{
    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _buffered;

    public ProtocolBufferWriter(IBufferWriter<byte> output, int sizeHint = 256)
    {
        _output = output;
        _span = output.GetSpan(sizeHint);
        _buffered = 0;
    }

    public void Commit()
    {
        if (_buffered > 0)
        {
            _output.Advance(_buffered);
            _buffered = 0;
            _span = default;
        }
    }

    public void Write(scoped ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= _span.Length - _buffered)
        {
            bytes.CopyTo(_span[_buffered..]);
            _buffered += bytes.Length;
            return;
        }

        WriteSlow(bytes);
    }

    public void Write(byte value)
    {
        if (_buffered < _span.Length)
        {
            _span[_buffered++] = value;
            return;
        }

        Ensure(1);
        _span[_buffered++] = value;
    }

    /// <summary>Writes a decimal number without allocating.</summary>
    public void WriteNumber(long value)
    {
        Ensure(20);
        value.TryFormat(_span[_buffered..], out int written, default, System.Globalization.CultureInfo.InvariantCulture);
        _buffered += written;
    }

    /// <summary>Writes text as UTF-8 (RFC 6531 allows UTF-8 where SMTPUTF8 is in use; ASCII is unchanged).</summary>
    public void WriteUtf8(scoped ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        int max = text.Length <= 1024 ? Encoding.UTF8.GetMaxByteCount(text.Length) : Encoding.UTF8.GetByteCount(text);
        Ensure(max);
        _buffered += Encoding.UTF8.GetBytes(text, _span[_buffered..]);
    }

    private void Ensure(int count)
    {
        if (_span.Length - _buffered < count)
        {
            Commit();
            _span = _output.GetSpan(count);
        }
    }

    private void WriteSlow(scoped ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_span.Length == _buffered)
            {
                Commit();
                _span = _output.GetSpan(Math.Min(bytes.Length, 4096));
            }

            int n = Math.Min(bytes.Length, _span.Length - _buffered);
            bytes[..n].CopyTo(_span[_buffered..]);
            _buffered += n;
            bytes = bytes[n..];
        }
    }
}
