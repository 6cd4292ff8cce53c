namespace Smtp.Core.Client.Internal;

/// <summary>Checks caller text before it can reach the wire.</summary>
internal static class ClientText
{
    /// <summary>
    /// Throws when <paramref name="value"/> holds CR, LF or NUL (RFC 5321 §2.3.8: a bare CR or LF inside a command
    /// would end it early and let the rest be read as a second, forged command), or, for a mailbox, an angle
    /// bracket (which would close the path and let the rest be read as a parameter).
    /// </summary>
    public static void ThrowIfUnsafe(string value, string paramName, bool mailbox)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        int bad = mailbox ? value.AsSpan().IndexOfAny("\r\n\0<>") : value.AsSpan().IndexOfAny('\r', '\n', '\0');
        if (bad >= 0)
        {
            throw new ArgumentException(
                $"The value contains a forbidden character (0x{(int)value[bad]:X2}) at index {bad}.", paramName);
        }
    }

    /// <summary>Whether any character is outside US-ASCII, which needs SMTPUTF8 (RFC 6531 §3.3).</summary>
    public static bool IsNonAscii(string? value) => value is not null && !System.Text.Ascii.IsValid(value);
}
