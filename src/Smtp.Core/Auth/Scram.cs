using System.Security.Cryptography;
using System.Text;

namespace Smtp.Core.Auth;

/// <summary>SCRAM-SHA-256 arithmetic and syntax shared by the client and server exchanges (RFC 5802, RFC 7677).</summary>
internal static class Scram
{
    public const string MechanismName = "SCRAM-SHA-256";
    public const int KeySize = 32;

    private static ReadOnlySpan<byte> ClientKeyLabel => "Client Key"u8;

    private static ReadOnlySpan<byte> ServerKeyLabel => "Server Key"u8;

    /// <summary>RFC 5802 §3: SaltedPassword = Hi(password, salt, i); ClientKey, StoredKey, ServerKey.</summary>
    public static void DeriveKeys(string preparedPassword, ReadOnlySpan<byte> salt, int iterations,
        Span<byte> storedKey, Span<byte> serverKey, Span<byte> clientKey)
    {
        byte[] passwordBytes = Encoding.UTF8.GetBytes(preparedPassword);
        Span<byte> salted = stackalloc byte[KeySize];
        Span<byte> ck = stackalloc byte[KeySize];
        try
        {
            Rfc2898DeriveBytes.Pbkdf2(passwordBytes, salt, salted, iterations, HashAlgorithmName.SHA256);
            HMACSHA256.HashData(salted, ClientKeyLabel, ck);
            SHA256.HashData(ck, storedKey);
            HMACSHA256.HashData(salted, ServerKeyLabel, serverKey);
            if (!clientKey.IsEmpty)
            {
                ck.CopyTo(clientKey);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
            CryptographicOperations.ZeroMemory(salted);
            CryptographicOperations.ZeroMemory(ck);
        }
    }

    /// <summary>RFC 5802 §5.1: saslname escapes ',' as "=2C" and '=' as "=3D".</summary>
    public static string EscapeName(string name) => name.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);

    /// <summary>Reverses <see cref="EscapeName"/>; any other '=' sequence (or a bare ',') is malformed.</summary>
    public static bool TryUnescapeName(ReadOnlySpan<char> value, out string name)
    {
        name = string.Empty;
        if (value.IsEmpty)
        {
            return false;
        }

        if (value.IndexOfAny('=', ',') < 0)
        {
            name = value.ToString();
            return true;
        }

        var sb = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == ',')
            {
                return false;
            }

            if (c == '=')
            {
                if (i + 2 >= value.Length)
                {
                    return false;
                }

                ReadOnlySpan<char> code = value.Slice(i + 1, 2);
                if (code.Equals("2C", StringComparison.Ordinal))
                {
                    sb.Append(',');
                }
                else if (code.Equals("3D", StringComparison.Ordinal))
                {
                    sb.Append('=');
                }
                else
                {
                    return false;
                }

                i += 2;
                continue;
            }

            sb.Append(c);
        }

        name = sb.ToString();
        return true;
    }

    /// <summary>RFC 5802 §7: printable = %x21-2B / %x2D-7E (no comma).</summary>
    public static bool IsValidNonce(ReadOnlySpan<char> nonce)
    {
        if (nonce.IsEmpty)
        {
            return false;
        }

        foreach (char c in nonce)
        {
            if (c < 0x21 || c > 0x7E || c == ',')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Strict base64 (no whitespace, which Convert would silently skip).</summary>
    public static bool TryDecodeBase64(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = 0;
        foreach (char c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '='))
            {
                return false;
            }
        }

        return Convert.TryFromBase64Chars(text, destination, out written);
    }

    /// <summary>An extension attribute: one ASCII letter, '=', value (RFC 5802 §7 attr-val).</summary>
    public static bool IsAttribute(ReadOnlySpan<char> part) => part.Length >= 2 && char.IsAsciiLetter(part[0]) && part[1] == '=';
}
