using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;

namespace Smtp.Core.Protocol;

/// <summary>The RFC 5321 §4.1.2/§4.1.3 path, domain and address-literal grammar, with RFC 6531 UTF-8.</summary>
internal static class SmtpAddressParser
{
    internal const int MaxLocalPart = 64;
    internal const int MaxDomain = 255;
    internal const int MaxPath = 256;

    /// <summary>Parses a path starting at <c>&lt;</c>.</summary>
    /// <param name="s">Text starting with <c>&lt;</c>.</param>
    /// <param name="syntaxReason">The reason for a malformed address (sender or recipient flavour).</param>
    /// <param name="isMail">MAIL: the null path is allowed; RCPT: bare postmaster is allowed.</param>
    /// <param name="path">The path.</param>
    /// <param name="consumed">Octets up to and including <c>&gt;</c>.</param>
    internal static SmtpReason ParsePath(ReadOnlySpan<byte> s, SmtpReason syntaxReason, bool isMail, out SmtpPath path, out int consumed)
    {
        path = default;
        consumed = 0;
        if (s.Length < 2 || s[0] != (byte)'<')
        {
            return syntaxReason;
        }

        if (s[1] == (byte)'>')
        {
            // RFC 5321 §4.1.1.2: "<>" is the null reverse-path, used for bounces; never a recipient.
            if (!isMail)
            {
                return syntaxReason;
            }

            consumed = 2;
            path = new SmtpPath { Raw = s[..2], IsNull = true };
            return SmtpReason.None;
        }

        int i = 1;
        bool nonAscii = false;
        int routeStart = i;
        if (s[i] == (byte)'@')
        {
            // RFC 5321 §4.1.2 A-d-l: "@a,@b:" — accepted and ignored (Appendix C).
            while (true)
            {
                if (i >= s.Length || s[i] != (byte)'@')
                {
                    return syntaxReason;
                }

                i++;
                int end = ScanDomain(s, i, ref nonAscii);
                if (end == i)
                {
                    return syntaxReason;
                }

                i = end;
                if (i < s.Length && s[i] == (byte)',')
                {
                    i++;
                    continue;
                }

                if (i < s.Length && s[i] == (byte)':')
                {
                    break;
                }

                return syntaxReason;
            }
        }

        ReadOnlySpan<byte> route = s[routeStart..i];
        if (!route.IsEmpty)
        {
            i++; // the ':'
        }

        int localStart = i;
        bool quoted = i < s.Length && s[i] == (byte)'"';
        int localEnd = quoted ? ScanQuotedString(s, i, ref nonAscii) : ScanDotString(s, i, ref nonAscii);
        if (localEnd < 0 || localEnd == localStart || localEnd >= s.Length)
        {
            return syntaxReason;
        }

        ReadOnlySpan<byte> local = s[localStart..localEnd];
        i = localEnd;
        if (s[i] == (byte)'>' && !isMail && !quoted && route.IsEmpty && Ascii.EqualsIgnoreCase(local, "postmaster"u8))
        {
            // RFC 5321 §4.1.1.3: "<Postmaster>" without a domain must be accepted, in any case.
            consumed = i + 1;
            path = new SmtpPath { Raw = s[..consumed], LocalPart = local, IsPostmaster = true };
            return SmtpReason.None;
        }

        if (s[i] != (byte)'@')
        {
            return syntaxReason;
        }

        i++;
        int domainStart = i;
        bool literal = i < s.Length && s[i] == (byte)'[';
        int domainEnd = literal ? ScanAddressLiteral(s, i) : ScanDomain(s, i, ref nonAscii);
        if (domainEnd <= domainStart || domainEnd >= s.Length || s[domainEnd] != (byte)'>')
        {
            return syntaxReason;
        }

        consumed = domainEnd + 1;
        ReadOnlySpan<byte> domain = s[domainStart..domainEnd];
        if (nonAscii && (!Utf8.IsValid(local) || !Utf8.IsValid(domain) || !Utf8.IsValid(route)))
        {
            return SmtpReason.InvalidUtf8;
        }

        // RFC 5321 §4.5.3.1: limits in octets, the path counting its punctuation.
        if (local.Length > MaxLocalPart)
        {
            return SmtpReason.LocalPartTooLong;
        }

        if (domain.Length > MaxDomain)
        {
            return SmtpReason.DomainTooLong;
        }

        if (consumed > MaxPath)
        {
            return SmtpReason.PathTooLong;
        }

        path = new SmtpPath
        {
            Raw = s[..consumed],
            SourceRoute = route,
            LocalPart = local,
            Domain = domain,
            IsAddressLiteral = literal,
            IsQuotedLocalPart = quoted,
            HasNonAscii = nonAscii,
        };
        return SmtpReason.None;
    }

    /// <summary>Validates a whole HELO/EHLO/LHLO argument: a domain or an address literal.</summary>
    internal static SmtpReason ValidateDomainOrLiteral(ReadOnlySpan<byte> s)
    {
        bool nonAscii = false;
        int end = s.Length > 0 && s[0] == (byte)'[' ? ScanAddressLiteral(s, 0) : ScanDomain(s, 0, ref nonAscii);

        // RFC 5321 §2.3.5: the EHLO domain is the client's own name; U-labels are not expected there.
        if (end != s.Length || end == 0 || nonAscii)
        {
            return SmtpReason.InvalidDomain;
        }

        return s.Length > MaxDomain ? SmtpReason.DomainTooLong : SmtpReason.None;
    }

    /// <summary>Scans sub-domain *("." sub-domain); returns the end, or <paramref name="start"/> if none.</summary>
    internal static int ScanDomain(ReadOnlySpan<byte> s, int start, ref bool nonAscii)
    {
        int i = start;
        while (true)
        {
            // sub-domain = Let-dig [Ldh-str]; RFC 6531 adds U-labels (any non-ASCII octets, checked as UTF-8 later).
            int labelStart = i;
            while (i < s.Length && (IsLetDig(s[i]) || s[i] == (byte)'-' || s[i] >= 0x80))
            {
                nonAscii |= s[i] >= 0x80;
                i++;
            }

            if (i == labelStart || s[labelStart] == (byte)'-' || s[i - 1] == (byte)'-')
            {
                // An empty label (leading, doubled or trailing dot) or a hyphen at a label edge spoils the domain.
                return start;
            }

            if (i < s.Length && s[i] == (byte)'.')
            {
                i++;
                continue;
            }

            return i;
        }
    }

    /// <summary>Scans Dot-string; returns the end or -1.</summary>
    private static int ScanDotString(ReadOnlySpan<byte> s, int start, ref bool nonAscii)
    {
        int i = start;
        while (true)
        {
            int atomStart = i;
            while (i < s.Length && (IsAtext(s[i]) || s[i] >= 0x80))
            {
                nonAscii |= s[i] >= 0x80;
                i++;
            }

            if (i == atomStart)
            {
                return -1;
            }

            if (i < s.Length && s[i] == (byte)'.')
            {
                i++;
                continue;
            }

            return i;
        }
    }

    /// <summary>Scans Quoted-string starting at the DQUOTE; returns the end after the closing DQUOTE or -1.</summary>
    private static int ScanQuotedString(ReadOnlySpan<byte> s, int start, ref bool nonAscii)
    {
        for (int i = start + 1; i < s.Length; i++)
        {
            byte c = s[i];
            if (c == (byte)'"')
            {
                return i + 1;
            }

            if (c == (byte)'\\')
            {
                // quoted-pairSMTP = %d92 %d32-126
                if (++i >= s.Length || s[i] < 32 || s[i] > 126)
                {
                    return -1;
                }

                continue;
            }

            if (c >= 0x80)
            {
                nonAscii = true;
                continue;
            }

            // qtextSMTP = %d32-33 / %d35-91 / %d93-126
            if (c < 32 || c > 126)
            {
                return -1;
            }
        }

        return -1;
    }

    /// <summary>Scans an address literal starting at '['; returns the index after ']' or -1.</summary>
    internal static int ScanAddressLiteral(ReadOnlySpan<byte> s, int start)
    {
        int close = s[start..].IndexOf((byte)']');
        if (close < 0)
        {
            return -1;
        }

        ReadOnlySpan<byte> content = s.Slice(start + 1, close - 1);
        return IsValidLiteralContent(content) ? start + close + 1 : -1;
    }

    private static bool IsValidLiteralContent(ReadOnlySpan<byte> content)
    {
        if (content.IsEmpty)
        {
            return false;
        }

        if (IsDigit(content[0]))
        {
            return IsIPv4(content);
        }

        if (content.Length > 5 && Ascii.EqualsIgnoreCase(content[..5], "IPv6:"u8))
        {
            return IsIPv6(content[5..]);
        }

        // General-address-literal = Standardized-tag ":" 1*dcontent (RFC 5321 §4.1.3).
        int colon = content.IndexOf((byte)':');
        if (colon <= 0 || colon == content.Length - 1)
        {
            return false;
        }

        ReadOnlySpan<byte> tag = content[..colon];
        if (!IsLetDig(tag[0]) || !IsLetDig(tag[^1]))
        {
            return false;
        }

        foreach (byte c in tag)
        {
            if (!IsLetDig(c) && c != (byte)'-')
            {
                return false;
            }
        }

        foreach (byte c in content[(colon + 1)..])
        {
            // dcontent = %d33-90 / %d94-126
            if (c < 33 || c > 126 || c is (byte)'[' or (byte)'\\' or (byte)']')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Snum 3("." Snum), Snum = 1*3DIGIT with value 0-255.</summary>
    internal static bool IsIPv4(ReadOnlySpan<byte> s)
    {
        int parts = 0;
        int i = 0;
        while (true)
        {
            int value = 0;
            int digits = 0;
            while (i < s.Length && IsDigit(s[i]) && digits < 4)
            {
                value = (value * 10) + (s[i] - '0');
                digits++;
                i++;
            }

            if (digits is 0 or > 3 || value > 255)
            {
                return false;
            }

            parts++;
            if (parts == 4)
            {
                return i == s.Length;
            }

            if (i >= s.Length || s[i] != (byte)'.')
            {
                return false;
            }

            i++;
        }
    }

    /// <summary>The IPv6-addr forms of RFC 5321 §4.1.3 (full, compressed, and with a trailing IPv4).</summary>
    private static bool IsIPv6(ReadOnlySpan<byte> s)
    {
        if (s.Length is < 2 or > 45)
        {
            return false;
        }

        // Restrict the alphabet first: IPAddress.TryParse also accepts zone ids and brackets.
        int lastColon = s.LastIndexOf((byte)':');
        if (lastColon < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> tail = s[(lastColon + 1)..];
        bool v4 = tail.IndexOf((byte)'.') >= 0;
        if (v4 && !IsIPv4(tail))
        {
            return false;
        }

        ReadOnlySpan<byte> hexPart = v4 ? s[..(lastColon + 1)] : s;
        foreach (byte c in hexPart)
        {
            if (!(IsHex(c) || c == (byte)':'))
            {
                return false;
            }
        }

        // RFC 5321: with "::", at most 6 (4 with an IPv4 tail) other groups; each group 1-4 hex digits.
        int groups = 0;
        int run = 0;
        foreach (byte c in hexPart)
        {
            if (c != (byte)':')
            {
                if (++run > 4)
                {
                    return false;
                }

                if (run == 1)
                {
                    groups++;
                }
            }
            else
            {
                run = 0;
            }
        }

        bool compressed = s.IndexOf("::"u8) >= 0;
        int maxGroups = v4 ? (compressed ? 4 : 6) : (compressed ? 6 : 8);
        if (groups > maxGroups || (!compressed && groups != maxGroups))
        {
            return false;
        }

        Span<char> chars = stackalloc char[45];
        int n = Encoding.ASCII.GetChars(s, chars);
        return IPAddress.TryParse(chars[..n], out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
    }

    internal static bool IsDigit(byte c) => (uint)(c - '0') <= 9;

    internal static bool IsAlpha(byte c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    internal static bool IsLetDig(byte c) => IsAlpha(c) || IsDigit(c);

    internal static bool IsHex(byte c) => IsDigit(c) || (uint)((c | 0x20) - 'a') <= 5;

    /// <summary>RFC 5322 atext.</summary>
    internal static bool IsAtext(byte c) => IsLetDig(c) || c is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&'
        or (byte)'\'' or (byte)'*' or (byte)'+' or (byte)'-' or (byte)'/' or (byte)'=' or (byte)'?' or (byte)'^' or (byte)'_'
        or (byte)'`' or (byte)'{' or (byte)'|' or (byte)'}' or (byte)'~';
}
