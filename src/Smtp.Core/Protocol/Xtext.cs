using System.Text;

namespace Smtp.Core.Protocol;

/// <summary>
/// The xtext encoding of DSN and AUTH parameter values (RFC 3461 §4): printable ASCII except <c>+</c> and
/// <c>=</c> stands for itself, anything else is <c>+XX</c> in hexadecimal.
/// </summary>
/// <remarks>
/// RFC 3461 requires upper-case hex digits; lower case is accepted when reading (Postel: the value is
/// unambiguous) and never produced when writing. A value that decodes to CR, LF or NUL is refused, since
/// decoded values end up in headers and logs.
/// </remarks>
public static class Xtext
{
    /// <summary>Whether the text is well-formed xtext whose decoded value contains no CR, LF or NUL.</summary>
    /// <param name="xtext">The encoded value.</param>
    /// <returns><see langword="true"/> when valid (an empty value is valid).</returns>
    public static bool IsValid(ReadOnlySpan<byte> xtext) => Decode(xtext, default, measureOnly: true) >= 0;

    /// <summary>The decoded length of valid xtext, or -1 when invalid.</summary>
    /// <param name="xtext">The encoded value.</param>
    /// <returns>The number of decoded octets, or -1.</returns>
    public static int GetDecodedLength(ReadOnlySpan<byte> xtext) => Decode(xtext, default, measureOnly: true);

    /// <summary>Decodes xtext into a caller buffer.</summary>
    /// <param name="xtext">The encoded value.</param>
    /// <param name="destination">Receives the decoded octets; as long as the input suffices.</param>
    /// <param name="bytesWritten">The number of octets written.</param>
    /// <returns><see langword="false"/> when the input is invalid or the destination too small.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> xtext, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        int length = Decode(xtext, default, measureOnly: true);
        if (length < 0 || length > destination.Length)
        {
            return false;
        }

        bytesWritten = Decode(xtext, destination, measureOnly: false);
        return true;
    }

    /// <summary>Decodes xtext to a string (the decoded octets read as UTF-8), for host code.</summary>
    /// <param name="xtext">The encoded value.</param>
    /// <param name="value">The decoded string, or <see langword="null"/> when invalid.</param>
    /// <returns>Whether the input was valid.</returns>
    public static bool TryDecodeToString(ReadOnlySpan<byte> xtext, out string? value)
    {
        value = null;
        int length = Decode(xtext, default, measureOnly: true);
        if (length < 0)
        {
            return false;
        }

        Span<byte> buffer = length <= 256 ? stackalloc byte[256] : new byte[length];
        int written = Decode(xtext, buffer, measureOnly: false);
        value = Encoding.UTF8.GetString(buffer[..written]);
        return true;
    }

    /// <summary>Encodes a value as xtext (upper-case hex), for example for a client's ENVID or ORCPT.</summary>
    /// <param name="value">The value; encoded as UTF-8 first.</param>
    /// <returns>The xtext.</returns>
    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= 33 and <= 126 and not (byte)'+' and not (byte)'=')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('+').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 0xF]);
            }
        }

        return builder.ToString();
    }

    /// <summary>Validates and optionally decodes; returns the decoded length or -1.</summary>
    private static int Decode(ReadOnlySpan<byte> xtext, Span<byte> destination, bool measureOnly)
    {
        int written = 0;
        for (int i = 0; i < xtext.Length; i++)
        {
            byte c = xtext[i];
            if (c == (byte)'+')
            {
                // hexchar = "+" 2(HEXDIG)
                if (i + 2 >= xtext.Length)
                {
                    return -1;
                }

                int hi = HexValue(xtext[i + 1]);
                int lo = HexValue(xtext[i + 2]);
                if (hi < 0 || lo < 0)
                {
                    return -1;
                }

                c = (byte)((hi << 4) | lo);
                if (c is (byte)'\r' or (byte)'\n' or 0)
                {
                    return -1;
                }

                i += 2;
            }
            else if (c is < 33 or > 126 or (byte)'=')
            {
                // xchar = any ASCII CHAR between "!" (33) and "~" (126) inclusive, except "+" and "=".
                return -1;
            }

            if (!measureOnly)
            {
                destination[written] = c;
            }

            written++;
        }

        return written;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };
}
