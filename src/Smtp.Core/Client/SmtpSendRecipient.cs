using Smtp.Core.Client.Internal;
using Smtp.Core.Protocol;

namespace Smtp.Core.Client;

/// <summary>One recipient of a message the client sends, with its optional RFC 3461 DSN parameters.</summary>
public sealed class SmtpSendRecipient
{
    private const SmtpDsnNotify AllNotify = SmtpDsnNotify.Never | SmtpDsnNotify.Success | SmtpDsnNotify.Failure | SmtpDsnNotify.Delay;

    /// <summary>Creates a recipient.</summary>
    /// <param name="address">The mailbox, without angle brackets, such as <c>user@example.org</c>.</param>
    /// <param name="notify">
    /// The NOTIFY parameter (RFC 3461 §4.1); <see cref="SmtpDsnNotify.None"/> for none. Sent only when the server
    /// offers DSN.
    /// </param>
    /// <param name="originalRecipient">
    /// The ORCPT address without its address type, or <see langword="null"/>. It is sent as <c>rfc822;</c> + xtext,
    /// or <c>utf-8;</c> + xtext when it is not ASCII (RFC 3461 §4.2, RFC 6533 §3).
    /// </param>
    /// <param name="originalRecipientType">
    /// The ORCPT address type (an atom such as <c>rfc822</c>, <c>utf-8</c> or <c>x400</c>), or <see langword="null"/>
    /// to choose <c>rfc822</c> or <c>utf-8</c> from the address. A relay passes on the type it received (RFC 3461 §4.2
    /// asks it to keep ORCPT as it came): split the server's <see cref="Server.SmtpRecipient.OriginalRecipient"/>
    /// (<c>addr-type;address</c>) at its first semicolon.
    /// </param>
    /// <exception cref="ArgumentException">
    /// An address holds CR, LF, NUL or an angle bracket, NOTIFY=NEVER is combined, or the ORCPT type is not an atom or
    /// comes without an ORCPT address.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="notify"/> holds a bit that is not a NOTIFY value.</exception>
    public SmtpSendRecipient(string address, SmtpDsnNotify notify = SmtpDsnNotify.None, string? originalRecipient = null, string? originalRecipientType = null)
    {
        ClientText.ThrowIfUnsafe(address, nameof(address), mailbox: true);
        if (address.Length == 0)
        {
            throw new ArgumentException("A recipient address cannot be empty.", nameof(address));
        }

        if (originalRecipient is not null)
        {
            ClientText.ThrowIfUnsafe(originalRecipient, nameof(originalRecipient), mailbox: true);
        }

        // An undefined bit would otherwise reach the wire as an empty or partial NOTIFY= list.
        if ((notify & ~AllNotify) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(notify), notify, "Not a NOTIFY value.");
        }

        // RFC 3461 §4.1: NEVER must not appear together with the other keywords.
        if ((notify & SmtpDsnNotify.Never) != 0 && notify != SmtpDsnNotify.Never)
        {
            throw new ArgumentException("NOTIFY=NEVER cannot be combined with other values.", nameof(notify));
        }

        if (originalRecipientType is not null)
        {
            // RFC 3461 §4.2: addr-type = atom; it goes on the wire as given, so it must not carry anything else.
            if (originalRecipient is null)
            {
                throw new ArgumentException("An ORCPT address type needs an ORCPT address.", nameof(originalRecipientType));
            }

            if (originalRecipientType.Length is 0 or > 64 || !originalRecipientType.All(c => c < 0x80 && SmtpAddressParser.IsAtext((byte)c)))
            {
                throw new ArgumentException("The ORCPT address type must be an atom (RFC 3461 §4.2) of at most 64 characters.", nameof(originalRecipientType));
            }
        }

        if (originalRecipient is not null)
        {
            OriginalRecipientParameter = OrcptValue(originalRecipient, originalRecipientType);
        }

        Address = address;
        Notify = notify;
        OriginalRecipient = originalRecipient;
        OriginalRecipientType = originalRecipientType;
    }

    /// <summary>The mailbox.</summary>
    public string Address { get; }

    /// <summary>The NOTIFY parameter; <see cref="SmtpDsnNotify.None"/> when none is sent.</summary>
    public SmtpDsnNotify Notify { get; }

    /// <summary>The ORCPT address without its address type, or <see langword="null"/>.</summary>
    public string? OriginalRecipient { get; }

    /// <summary>The ORCPT address type, or <see langword="null"/> when it is chosen from the address (<c>rfc822</c>, or <c>utf-8</c> when not ASCII).</summary>
    public string? OriginalRecipientType { get; }

    /// <summary>The ORCPT value as given to the command writer (which adds the xtext encoding), or <see langword="null"/>.</summary>
    internal string? OriginalRecipientParameter { get; }

    /// <summary>Converts an address to a recipient without DSN parameters.</summary>
    /// <param name="address">The mailbox, without angle brackets.</param>
    public static implicit operator SmtpSendRecipient(string address) => new(address);

    /// <summary>Creates a recipient without DSN parameters.</summary>
    /// <param name="address">The mailbox, without angle brackets.</param>
    public static SmtpSendRecipient FromAddress(string address) => new(address);

    /// <inheritdoc />
    public override string ToString() => Address;

    /// <summary>
    /// <c>addr-type ";" address</c> (RFC 3461 §4.2), the address encoded for its type: RFC 6533 §3 utf-8-addr-xtext
    /// for <c>utf-8</c>, else the address as it is (the command writer applies xtext, which leaves the utf-8 form
    /// unchanged).
    /// </summary>
    private static string OrcptValue(string address, string? type)
    {
        bool nonAscii = ClientText.IsNonAscii(address);
        type ??= nonAscii ? "utf-8" : "rfc822";
        bool utf8 = type.Equals("utf-8", StringComparison.OrdinalIgnoreCase);
        if (nonAscii && !utf8)
        {
            // RFC 6533 §3: only the utf-8 address type carries non-ASCII addresses.
            throw new ArgumentException($"A non-ASCII ORCPT address needs the utf-8 address type, not {type}.", "originalRecipientType");
        }

        string value = type + ";" + (utf8 ? Utf8AddressText.Encode(address) : address);

        // RFC 3461 §4.2: at most 500 characters on the wire. The value is ASCII here, and xtext writes each
        // character but "+", "=" and the controls as one, those as three.
        int wire = 0;
        foreach (char c in value)
        {
            wire += c is >= '!' and <= '~' and not '+' and not '=' ? 1 : 3;
        }

        if (wire > 500)
        {
            throw new ArgumentException("The ORCPT value exceeds the 500 characters RFC 3461 §4.2 allows.", "originalRecipient");
        }

        return value;
    }
}
