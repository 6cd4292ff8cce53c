using System.Text;

namespace Smtp.Core.Protocol;

/// <summary>
/// A parsed reverse-path or forward-path (RFC 5321 §4.1.2), as spans into the command line.
/// </summary>
/// <remarks>
/// The spans are only valid while the line's buffer is; call <see cref="GetMailbox"/> and friends to copy a
/// value into a string for host code. A source route (<c>&lt;@a,@b:user@d&gt;</c>) is accepted and ignored as
/// RFC 5321 §4.1.1.3 and Appendix C require; it is exposed only in <see cref="SourceRoute"/>.
/// </remarks>
public readonly ref struct SmtpPath
{
    /// <summary>The whole path as on the wire, from <c>&lt;</c> to <c>&gt;</c> inclusive.</summary>
    public ReadOnlySpan<byte> Raw { get; internal init; }

    /// <summary>The ignored source route (<c>@a,@b</c>), or empty.</summary>
    public ReadOnlySpan<byte> SourceRoute { get; internal init; }

    /// <summary>The local part as on the wire (a quoted string keeps its quotes and backslashes).</summary>
    public ReadOnlySpan<byte> LocalPart { get; internal init; }

    /// <summary>The domain or address literal (with its brackets) as on the wire; empty for null or bare postmaster.</summary>
    public ReadOnlySpan<byte> Domain { get; internal init; }

    /// <summary>Whether this is the null reverse-path <c>&lt;&gt;</c> (MAIL only).</summary>
    public bool IsNull { get; internal init; }

    /// <summary>Whether this is the domain-less <c>&lt;Postmaster&gt;</c> (RCPT only, any case; RFC 5321 §4.1.1.3).</summary>
    public bool IsPostmaster { get; internal init; }

    /// <summary>Whether the domain is an address literal such as <c>[192.0.2.1]</c>.</summary>
    public bool IsAddressLiteral { get; internal init; }

    /// <summary>Whether the local part is a quoted string.</summary>
    public bool IsQuotedLocalPart { get; internal init; }

    /// <summary>Whether the local part or domain contains UTF-8 beyond ASCII (RFC 6531).</summary>
    public bool HasNonAscii { get; internal init; }

    /// <summary>The mailbox <c>local@domain</c> as on the wire; empty for the null path, the local part alone for bare postmaster.</summary>
    /// <returns>A new string.</returns>
    public string GetMailbox()
    {
        if (IsNull)
        {
            return string.Empty;
        }

        if (Domain.IsEmpty)
        {
            return Encoding.UTF8.GetString(LocalPart);
        }

        int localLength = Encoding.UTF8.GetCharCount(LocalPart);
        int domainLength = Encoding.UTF8.GetCharCount(Domain);
        Span<char> buffer = localLength + domainLength < 512 ? stackalloc char[512] : new char[localLength + domainLength + 1];
        int written = Encoding.UTF8.GetChars(LocalPart, buffer);
        buffer[written++] = '@';
        written += Encoding.UTF8.GetChars(Domain, buffer[written..]);
        return new string(buffer[..written]);
    }

    /// <summary>The local part as on the wire, as a string.</summary>
    /// <returns>A new string.</returns>
    public string GetLocalPart() => Encoding.UTF8.GetString(LocalPart);

    /// <summary>The domain or address literal as on the wire, as a string.</summary>
    /// <returns>A new string.</returns>
    public string GetDomain() => Encoding.UTF8.GetString(Domain);

    /// <summary>
    /// The local part with a quoted string's quotes and quoted-pair backslashes removed (RFC 5321 §4.1.2), so
    /// <c>"a\"b"</c> gives <c>a"b</c>. A dot-string is returned unchanged.
    /// </summary>
    /// <returns>A new string.</returns>
    public string GetUnquotedLocalPart()
    {
        if (!IsQuotedLocalPart)
        {
            return GetLocalPart();
        }

        ReadOnlySpan<byte> inner = LocalPart[1..^1];
        Span<byte> buffer = stackalloc byte[inner.Length];
        int written = 0;
        for (int i = 0; i < inner.Length; i++)
        {
            if (inner[i] == (byte)'\\' && i + 1 < inner.Length)
            {
                i++;
            }

            buffer[written++] = inner[i];
        }

        return Encoding.UTF8.GetString(buffer[..written]);
    }
}
