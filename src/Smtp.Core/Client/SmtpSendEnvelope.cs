using Smtp.Core.Client.Internal;
using Smtp.Core.Protocol;

namespace Smtp.Core.Client;

/// <summary>
/// The envelope of one message the client sends: the reverse path, the recipients and the MAIL parameters.
/// </summary>
/// <remarks>
/// <para>
/// Every address is checked when the envelope is built (CR, LF, NUL and angle brackets are refused), so nothing
/// unsafe is ever written. The client checks the parameters against the server's capabilities before it sends the
/// first command of the transaction, and throws <see cref="SmtpCapabilityException"/> when the server lacks one.
/// </para>
/// <para>
/// The parameter types are the protocol layer's (<see cref="SmtpBodyType"/>, <see cref="SmtpDsnReturn"/>,
/// <see cref="SmtpDsnNotify"/>), the same ones a received <see cref="Server.SmtpEnvelope"/> carries, so a relay
/// copies them across unchanged. Their <c>None</c> value means "no parameter".
/// </para>
/// </remarks>
public sealed class SmtpSendEnvelope
{
    private readonly SmtpSendRecipient[] _recipients;
    private readonly SmtpBodyType _bodyType;
    private readonly SmtpDsnReturn _return;
    private readonly string? _envelopeId;

    /// <summary>Creates an envelope.</summary>
    /// <param name="sender">The reverse path without angle brackets; empty for the null sender <c>&lt;&gt;</c>.</param>
    /// <param name="recipients">At least one recipient.</param>
    /// <exception cref="ArgumentException">An address is unsafe, or there is no recipient.</exception>
    public SmtpSendEnvelope(string sender, IEnumerable<SmtpSendRecipient> recipients)
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
    /// <param name="sender">The reverse path without angle brackets; empty for the null sender <c>&lt;&gt;</c>.</param>
    /// <param name="recipients">At least one recipient address, without angle brackets.</param>
    /// <exception cref="ArgumentException">An address is unsafe, or there is no recipient.</exception>
    public SmtpSendEnvelope(string sender, params string[] recipients)
        : this(sender, (recipients ?? throw new ArgumentNullException(nameof(recipients))).Select(SmtpSendRecipient.FromAddress))
    {
    }

    /// <summary>The reverse path; empty for the null sender.</summary>
    public string Sender { get; }

    /// <summary>The recipients, in the order they are sent.</summary>
    public IReadOnlyList<SmtpSendRecipient> Recipients => _recipients;

    /// <summary>The body type declared with <c>BODY=</c> (RFC 6152 §2, RFC 3030 §3).</summary>
    /// <remarks>
    /// <see cref="SmtpBodyType.None"/> (the default) sends no BODY parameter. <see cref="SmtpBodyType.SevenBit"/>
    /// sends <c>BODY=7BIT</c> when the server offers 8BITMIME and nothing otherwise: the parameter belongs to that
    /// extension, and 7-bit is what a message without it means anyway. <see cref="SmtpBodyType.EightBitMime"/> needs
    /// 8BITMIME; <see cref="SmtpBodyType.BinaryMime"/> needs BINARYMIME and CHUNKING and is sent with BDAT only.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a member of <see cref="SmtpBodyType"/>.</exception>
    public SmtpBodyType BodyType
    {
        get => _bodyType;
        init => _bodyType = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(BodyType), value, "Not a BODY value.");
    }

    /// <summary>
    /// Whether to declare SMTPUTF8 (RFC 6531 §3.4). The client also declares it whenever an address is not
    /// ASCII; either way the server must advertise SMTPUTF8.
    /// </summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary>
    /// The DSN <c>RET</c> parameter (RFC 3461 §4.3); <see cref="SmtpDsnReturn.None"/> (the default) for none. Sent
    /// only when the server offers DSN; otherwise the message is still sent, without it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a member of <see cref="SmtpDsnReturn"/>.</exception>
    public SmtpDsnReturn Return
    {
        get => _return;
        init => _return = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Return), value, "Not a RET value.");
    }

    /// <summary>
    /// The DSN ENVID parameter (RFC 3461 §4.4), sent as xtext when the server offers DSN; <see langword="null"/>
    /// for none.
    /// </summary>
    /// <exception cref="ArgumentException">The value holds CR, LF or NUL.</exception>
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

    /// <summary>
    /// Whether this envelope needs SMTPUTF8: asked for, or a path is not ASCII. A non-ASCII ORCPT does not: it goes on
    /// the wire as utf-8-addr-xtext, which is ASCII (RFC 6533 §3).
    /// </summary>
    internal bool NeedsSmtpUtf8
        => SmtpUtf8 || ClientText.IsNonAscii(Sender) || _recipients.Any(r => ClientText.IsNonAscii(r.Address));

    /// <inheritdoc />
    public override string ToString() => $"<{Sender}> -> {string.Join(", ", (IEnumerable<SmtpSendRecipient>)_recipients)}";
}
