using Smtp.Core.Protocol;

namespace Smtp.Core.Server;

/// <summary>The envelope of one mail transaction: the sender, the recipients and the MAIL parameters.</summary>
/// <remarks>
/// The server fills the envelope as MAIL and RCPT commands are accepted; hosts read it. A new instance is
/// made for every transaction, so a host may keep one after the transaction ended.
/// </remarks>
public sealed class SmtpEnvelope
{
    private readonly List<SmtpRecipient> _recipients = [];

    /// <summary>Creates an envelope; the server makes one per transaction, hosts may make their own (for tests, say).</summary>
    /// <param name="from">The reverse path without angle brackets; empty for the null reverse path.</param>
    /// <param name="recipients">The recipients, or <see langword="null"/> for none yet.</param>
    public SmtpEnvelope(string from, IEnumerable<SmtpRecipient>? recipients = null)
    {
        ArgumentNullException.ThrowIfNull(from);
        From = from;
        if (recipients is not null)
        {
            _recipients.AddRange(recipients);
        }
    }

    /// <summary>The reverse path without angle brackets; empty for the null reverse path <c>&lt;&gt;</c> (bounces).</summary>
    public string From { get; }

    /// <summary>Whether the reverse path is the null path <c>&lt;&gt;</c> (RFC 5321 §4.5.5).</summary>
    public bool IsNullSender => From.Length == 0;

    /// <summary>The recipients accepted so far, in order.</summary>
    public IReadOnlyList<SmtpRecipient> Recipients => _recipients;

    /// <summary>The size the client declared with SIZE= (RFC 1870), or <see langword="null"/>.</summary>
    public long? DeclaredSize { get; init; }

    /// <summary>The body type declared with BODY= (RFC 6152, RFC 3030).</summary>
    public SmtpBodyType BodyType { get; init; }

    /// <summary>Whether the client gave the SMTPUTF8 parameter (RFC 6531 §3.4): addresses and headers may hold UTF-8.</summary>
    public bool IsUtf8 { get; init; }

    /// <summary>The RFC 3461 §4.3 RET parameter.</summary>
    public SmtpDsnReturn DsnReturn { get; init; }

    /// <summary>The RFC 3461 §4.4 ENVID parameter, xtext-decoded, or <see langword="null"/>.</summary>
    public string? DsnEnvelopeId { get; init; }

    /// <summary>The RFC 4954 §5 AUTH parameter of MAIL, xtext-decoded (<c>&lt;&gt;</c> for none), or <see langword="null"/>.</summary>
    public string? AuthorizedSender { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"<{From}> -> {string.Join(", ", _recipients)}";

    internal void AddRecipient(SmtpRecipient recipient) => _recipients.Add(recipient);
}
