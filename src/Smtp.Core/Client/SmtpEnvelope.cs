using Smtp.Core.Client.Internal;

namespace Smtp.Core.Client;

/// <summary>The envelope of one message: the reverse path, the recipients and the MAIL parameters.</summary>
/// <remarks>
/// Every address is checked when the envelope is built (CR, LF, NUL and angle brackets are refused), so nothing
/// unsafe is ever written. The client checks the parameters against the server's capabilities before it sends the
/// first command of the transaction, and throws <see cref="SmtpCapabilityException"/> when the server lacks one.
/// </remarks>
public sealed class SmtpEnvelope
{
    private readonly SmtpRecipient[] _recipients;

    /// <summary>Creates an envelope.</summary>
    /// <param name="sender">The reverse path without angle brackets; empty for the null sender <c>&lt;&gt;</c>.</param>
    /// <param name="recipients">At least one recipient.</param>
    /// <exception cref="ArgumentException">An address is unsafe, or there is no recipient.</exception>
    public SmtpEnvelope(string sender, IEnumerable<SmtpRecipient> recipients)
    {
        ClientText.ThrowIfUnsafe(sender, nameof(sender), mailbox: true);
        ArgumentNullException.ThrowIfNull(recipients);
        _recipients = recipients.ToArray();
        if (_recipients.Length == 0)
        {
            throw new ArgumentException("An envelope needs at least one recipient.", nameof(recipients));
        }

        if (Array.IndexOf(_recipients, null) >= 0)
        {
            throw new ArgumentException("A recipient is null.", nameof(recipients));
        }

        Sender = sender;
    }

    /// <summary>Creates an envelope for plain addresses.</summary>
    public SmtpEnvelope(string sender, params string[] recipients)
        : this(sender, (recipients ?? throw new ArgumentNullException(nameof(recipients))).Select(SmtpRecipient.FromAddress))
    {
    }

    /// <summary>The reverse path; empty for the null sender.</summary>
    public string Sender { get; }

    /// <summary>The recipients, in the order they are sent.</summary>
    public IReadOnlyList<SmtpRecipient> Recipients => _recipients;

    /// <summary>The body type declared with BODY=.</summary>
    public SmtpBodyType BodyType { get; init; }

    /// <summary>
    /// Whether to declare SMTPUTF8 (RFC 6531 §3.4). The client also declares it whenever an address is not
    /// ASCII; either way the server must advertise SMTPUTF8.
    /// </summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary>The DSN RET parameter; sent only when the server offers DSN.</summary>
    public DsnReturn Return { get; init; }

    /// <summary>
    /// The DSN ENVID parameter (RFC 3461 §4.4), sent as xtext when the server offers DSN; <see langword="null"/>
    /// for none.
    /// </summary>
    public string? EnvelopeId
    {
        get => _envelopeId;
        init
        {
            if (value is not null)
            {
                ClientText.ThrowIfUnsafe(value, nameof(EnvelopeId), mailbox: false);
            }

            _envelopeId = value;
        }
    }

    private readonly string? _envelopeId;

    /// <summary>Whether this envelope needs SMTPUTF8: asked for, or an address is not ASCII.</summary>
    internal bool NeedsSmtpUtf8
        => SmtpUtf8 || ClientText.IsNonAscii(Sender)
           || _recipients.Any(r => ClientText.IsNonAscii(r.Address) || ClientText.IsNonAscii(r.OriginalRecipient));
}
