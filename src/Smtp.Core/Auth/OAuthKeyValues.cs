namespace Smtp.Core.Auth;

/// <summary>The %x01-separated key/value syntax of OAUTHBEARER (RFC 7628 §3.1) and XOAUTH2.</summary>
internal static class OAuthKeyValues
{
    private const char Separator = '\u0001';

    /// <summary>
    /// Parses <c>kvsep *kvpair kvsep</c> where <c>kvpair = key "=" value kvsep</c>, <c>key = 1*ALPHA</c> and
    /// <c>value = *(VCHAR / SP / HTAB / CR / LF)</c>, widened to any non-ASCII character so that an XOAUTH2
    /// user may be an internationalised address (the message is already known to be valid UTF-8). Keys are
    /// case-sensitive and may not repeat.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Dictionary<string, string> pairs, bool leadingSeparator = true)
    {
        pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (leadingSeparator)
        {
            if (text.IsEmpty || text[0] != Separator)
            {
                return false;
            }

            text = text[1..];
        }

        // What is left is *(kvpair) followed by the closing kvsep.
        if (text.IsEmpty || text[^1] != Separator)
        {
            return false;
        }

        text = text[..^1];
        while (!text.IsEmpty)
        {
            int end = text.IndexOf(Separator);
            if (end < 0)
            {
                return false;
            }

            ReadOnlySpan<char> pair = text[..end];
            text = text[(end + 1)..];
            int equals = pair.IndexOf('=');
            if (equals <= 0)
            {
                return false;
            }

            ReadOnlySpan<char> key = pair[..equals];
            ReadOnlySpan<char> value = pair[(equals + 1)..];
            foreach (char c in key)
            {
                if (!char.IsAsciiLetter(c))
                {
                    return false;
                }
            }

            foreach (char c in value)
            {
                if (!(c is >= (char)0x21 and <= (char)0x7E or ' ' or '\t' or '\r' or '\n' or >= (char)0x80))
                {
                    return false;
                }
            }

            if (!pairs.TryAdd(key.ToString(), value.ToString()))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 6750 §2.1: <c>"Bearer" 1*SP b64token</c>, the scheme name case-insensitive.</summary>
    public static bool TryGetBearerToken(string auth, out string token)
    {
        token = string.Empty;
        if (auth.Length < 8 || !auth.AsSpan(0, 6).Equals("Bearer", StringComparison.OrdinalIgnoreCase) || auth[6] != ' ')
        {
            return false;
        }

        ReadOnlySpan<char> rest = auth.AsSpan(7).TrimStart(' ');

        // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
        int i = 0;
        while (i < rest.Length && (char.IsAsciiLetterOrDigit(rest[i]) || rest[i] is '-' or '.' or '_' or '~' or '+' or '/'))
        {
            i++;
        }

        if (i == 0)
        {
            return false;
        }

        while (i < rest.Length && rest[i] == '=')
        {
            i++;
        }

        if (i != rest.Length)
        {
            return false;
        }

        token = rest.ToString();
        return true;
    }
}
