using System.Globalization;
using System.Text;

namespace Smtp.Core.Protocol;

/// <summary>
/// The address part of an ORCPT of type <c>utf-8</c> (RFC 6533 §3): utf-8-addr-xtext, printable ASCII but
/// <c>+</c>, <c>=</c> and <c>\</c> with every other character as <c>\x{HEX}</c>; in a transaction opened with
/// SMTPUTF8 also utf-8-addr-unitext, where non-ASCII characters may appear as UTF-8.
/// </summary>
internal static class Utf8AddressText
{
    /// <summary>Whether <paramref name="text"/> is utf-8-addr-xtext (or, with <paramref name="allowUtf8"/>, unitext).</summary>
    public static bool IsValid(ReadOnlySpan<byte> text, bool allowUtf8) => Decode(text, allowUtf8, null);

    /// <summary>Encodes an address as utf-8-addr-xtext: QCHAR as it is, every other character as <c>\x{HEX}</c>.</summary>
    /// <remarks>The result is ASCII without <c>+</c> or <c>=</c>, so xtext encoding leaves it unchanged.</remarks>
    public static string Encode(string address)
    {
        var text = new StringBuilder(address.Length);
        foreach (Rune rune in address.EnumerateRunes())
        {
            int c = rune.Value;
            if (IsQchar(c))
            {
                text.Append((char)c);
            }
            else
            {
                text.Append(@"\x{").Append(c.ToString("X2", CultureInfo.InvariantCulture)).Append('}');
            }
        }

        return text.ToString();
    }

    /// <summary>Decodes a value <see cref="IsValid"/> accepted (escapes to their characters, UTF-8 as it is).</summary>
    public static string Decode(ReadOnlySpan<byte> text)
    {
        var decoded = new StringBuilder(text.Length);
        return Decode(text, allowUtf8: true, decoded) ? decoded.ToString() : throw new FormatException("Not utf-8-addr-xtext or unitext.");
    }

    private static bool Decode(ReadOnlySpan<byte> text, bool allowUtf8, StringBuilder? decoded)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        int i = 0;
        while (i < text.Length)
        {
            byte c = text[i];
            if (c == (byte)'\\')
            {
                // EmbeddedUnicodeChar = "\x{" HEXPOINT "}", HEXPOINT 2 to 6 upper-case hex digits of a scalar value.
                int close = text[i..].IndexOf((byte)'}');
                if (close < 5 || close > 9 || text[i + 1] != (byte)'x' || text[i + 2] != (byte)'{'
                    || !int.TryParse(text.Slice(i + 3, close - 3), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int scalar)
                    || !Rune.IsValid(scalar))
                {
                    return false;
                }

                // As in xtext (RFC 3461 §4): no CR, LF or NUL may reach the host, which may put the value on a wire.
                if (scalar is 0 or '\r' or '\n')
                {
                    return false;
                }

                decoded?.Append(new Rune(scalar).ToString());
                i += close + 1;
            }
            else if (c < 0x80)
            {
                // The backslash was handled above: the rest must be QCHAR.
                if (!IsQchar(c))
                {
                    return false;
                }

                decoded?.Append((char)c);
                i++;
            }
            else
            {
                // QUCHAR's UTF-8, only where SMTPUTF8 allows it (RFC 6533 §3, RFC 6531 §3.3).
                if (!allowUtf8 || Rune.DecodeFromUtf8(text[i..], out Rune rune, out int length) != System.Buffers.OperationStatus.Done)
                {
                    return false;
                }

                decoded?.Append(rune.ToString());
                i += length;
            }
        }

        return true;
    }

    // QCHAR = %x21-2a / %x2c-3c / %x3e-5b / %x5d-7e: printable ASCII but "+", "=" and "\".
    private static bool IsQchar(int c) => c is >= 0x21 and <= 0x7e and not '+' and not '=' and not '\\';
}
