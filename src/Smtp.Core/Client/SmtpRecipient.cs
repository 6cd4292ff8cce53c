using Smtp.Core.Client.Internal;

namespace Smtp.Core.Client;

/// <summary>One envelope recipient with its optional RFC 3461 DSN parameters.</summary>
public sealed class SmtpRecipient
{
    /// <summary>Creates a recipient.</summary>
    /// <param name="address">The mailbox, without angle brackets, such as <c>user@example.org</c>.</param>
    /// <param name="notify">The NOTIFY parameter; sent only when the server offers DSN.</param>
    /// <param name="originalRecipient">
    /// The ORCPT address (sent as <c>rfc822;</c> + xtext, RFC 3461 §4.2), or <see langword="null"/>.
    /// </param>
    /// <exception cref="ArgumentException">An address holds CR, LF, NUL or an angle bracket, or NOTIFY=NEVER is combined.</exception>
    public SmtpRecipient(string address, DsnNotify notify = DsnNotify.Unspecified, string? originalRecipient = null)
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

        // RFC 3461 §4.1: NEVER must not appear together with the other keywords.
        if ((notify & DsnNotify.Never) != 0 && notify != DsnNotify.Never)
        {
            throw new ArgumentException("NOTIFY=NEVER cannot be combined with other values.", nameof(notify));
        }

        Address = address;
        Notify = notify;
        OriginalRecipient = originalRecipient;
    }

    /// <summary>The mailbox.</summary>
    public string Address { get; }

    /// <summary>The NOTIFY parameter.</summary>
    public DsnNotify Notify { get; }

    /// <summary>The ORCPT address, or <see langword="null"/>.</summary>
    public string? OriginalRecipient { get; }

    /// <summary>Converts an address to a recipient without DSN parameters.</summary>
    public static implicit operator SmtpRecipient(string address) => new(address);

    /// <summary>Creates a recipient without DSN parameters.</summary>
    public static SmtpRecipient FromAddress(string address) => new(address);

    /// <inheritdoc />
    public override string ToString() => Address;
}
