using System.Text;

namespace Smtp.Core.Auth;

/// <summary>
/// A subset of SASLprep (RFC 4013, the stringprep profile of RFC 3454) used for SCRAM user names and passwords.
/// </summary>
/// <remarks>
/// Covered: mapping of non-ASCII spaces (table C.1.2) to U+0020, removal of the "commonly mapped to nothing"
/// characters (table B.1), NFKC normalisation, and the prohibited output of RFC 4013 §2.3 (tables C.1.2, C.2.1,
/// C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9), including lone surrogates.
/// Not covered: the bidirectional check of RFC 3454 §6 (RandALCat / LCat mixing) and the rejection of code points
/// unassigned in Unicode 3.2 (table A.1); .NET normalises with its own, newer Unicode tables, so a string made of
/// characters added after Unicode 3.2 may normalise differently from a strict stringprep implementation.
/// ASCII-only strings, by far the common case, are returned unchanged unless they hold control characters.
/// </remarks>
internal static class SaslPrep
{
    public static bool TryPrepare(string input, out string output)
    {
        output = input;
        bool ascii = true;
        foreach (char c in input)
        {
            if (c >= 0x80)
            {
                ascii = false;
                break;
            }
        }

        if (ascii)
        {
            // C.2.1: ASCII controls are prohibited; everything else in ASCII maps to itself under NFKC.
            foreach (char c in input)
            {
                if (c < 0x20 || c == 0x7F)
                {
                    return false;
                }
            }

            return true;
        }

        var mapped = new StringBuilder(input.Length);
        for (int i = 0; i < input.Length; i++)
        {
            char c = input[i];
            if (IsMappedToNothing(c))
            {
                continue; // RFC 4013 §2.1, table B.1.
            }

            mapped.Append(IsNonAsciiSpace(c) ? ' ' : c); // RFC 4013 §2.1, table C.1.2.
        }

        string normalized;
        try
        {
            normalized = mapped.ToString().Normalize(NormalizationForm.FormKC); // RFC 4013 §2.2.
        }
        catch (ArgumentException)
        {
            return false; // Lone surrogates (table C.5) make Normalize throw.
        }

        for (int i = 0; i < normalized.Length; i++)
        {
            int cp;
            char c = normalized[i];
            if (char.IsHighSurrogate(c) && i + 1 < normalized.Length && char.IsLowSurrogate(normalized[i + 1]))
            {
                cp = char.ConvertToUtf32(c, normalized[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
            else
            {
                cp = c;
            }

            if (IsProhibited(cp))
            {
                return false;
            }
        }

        output = normalized;
        return true;
    }

    private static bool IsMappedToNothing(char c) =>
        c is '\u00AD' or '\u034F' or '\u1806' or '\u180B' or '\u180C' or '\u180D' or '\u200B' or '\u200C'
            or '\u200D' or '\u2060' or '\uFEFF' || c is >= '\uFE00' and <= '\uFE0F';

    private static bool IsNonAsciiSpace(char c) =>
        c is '\u00A0' or '\u1680' or '\u202F' or '\u205F' or '\u3000' || c is >= '\u2000' and <= '\u200B';

    private static bool IsProhibited(int cp) =>
        cp < 0x20 || cp == 0x7F // C.2.1
        || (cp >= 0x80 && cp <= 0x9F) // C.2.2
        || cp is 0x06DD or 0x070F or 0x180E or 0x200C or 0x200D or 0x2028 or 0x2029 or 0xFEFF // C.2.2
        || (cp >= 0x2060 && cp <= 0x2063) || (cp >= 0x206A && cp <= 0x206F) // C.2.2, C.8
        || (cp >= 0xFFF9 && cp <= 0xFFFD) // C.2.2, C.6
        || (cp >= 0x1D173 && cp <= 0x1D17A) // C.2.2
        || (cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xF0000 && cp <= 0xFFFFD) || (cp >= 0x100000 && cp <= 0x10FFFD) // C.3
        || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE // C.4
        || (cp >= 0x2FF0 && cp <= 0x2FFB) // C.7
        || cp is 0x0340 or 0x0341 or 0x200E or 0x200F || (cp >= 0x202A && cp <= 0x202E) // C.8
        || cp == 0xE0001 || (cp >= 0xE0020 && cp <= 0xE007F) // C.9
        || (cp <= 0xFFFF && IsNonAsciiSpace((char)cp)); // C.1.2
}
