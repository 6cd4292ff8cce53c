using System.Buffers;
using System.Text;

namespace Smtp.Core.Protocol;

/// <summary>Encodes xtext (RFC 3461 §4): octets 33 to 126 other than <c>+</c> and <c>=</c> stand for themselves,
/// every other octet is written <c>+XX</c> in upper-case hex.</summary>
internal static class XtextEncoder
{
    /// <summary>Writes <paramref name="value"/> (as UTF-8) in xtext.</summary>
    public static void Write(ref ProtocolBufferWriter writer, scoped ReadOnlySpan<char> value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        Span<byte> utf8 = max <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int length = Encoding.UTF8.GetBytes(value, utf8);
            Write(ref writer, utf8[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Writes <paramref name="value"/> in xtext.</summary>
    public static void Write(ref ProtocolBufferWriter writer, scoped ReadOnlySpan<byte> value)
    {
        Span<byte> escape = stackalloc byte[3];
        escape[0] = (byte)'+';
        foreach (byte b in value)
        {
            if (b is >= 33 and <= 126 and not (byte)'+' and not (byte)'=')
            {
                writer.Write(b);
            }
            else
            {
                escape[1] = (byte)"0123456789ABCDEF"[b >> 4];
                escape[2] = (byte)"0123456789ABCDEF"[b & 0xF];
                writer.Write(escape);
            }
        }
    }
}
