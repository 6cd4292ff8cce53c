using Smtp.Core.Protocol;

namespace Smtp.Core.Server;

/// <summary>One recipient of a transaction (a RCPT command) with its DSN parameters.</summary>
public sealed class SmtpRecipient
{
    /// <summary>Creates a recipient.</summary>
    /// <param name="address">The forward path without angle brackets, such as <c>user@example.org</c> or <c>postmaster</c>.</param>
    /// <param name="notify">The NOTIFY parameter.</param>
    /// <param name="originalRecipient">The ORCPT parameter, xtext-decoded, as <c>addr-type;address</c>, or <see langword="null"/>.</param>
    public SmtpRecipient(string address, SmtpDsnNotify notify = SmtpDsnNotify.None, string? originalRecipient = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        Address = address;
        Notify = notify;
        OriginalRecipient = originalRecipient;
    }

    /// <summary>The forward path without angle brackets, such as <c>user@example.org</c> or <c>postmaster</c>.</summary>
    public string Address { get; }

    /// <summary>The RFC 3461 §4.1 NOTIFY parameter.</summary>
    public SmtpDsnNotify Notify { get; }

    /// <summary>The RFC 3461 §4.2 ORCPT parameter, xtext-decoded, as <c>addr-type;address</c> (for example <c>rfc822;user@example.org</c>), or <see langword="null"/>.</summary>
    public string? OriginalRecipient { get; }

    /// <inheritdoc />
    public override string ToString() => Address;
}
