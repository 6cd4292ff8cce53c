using Smtp.Core.Protocol;

namespace Smtp.Core.Client;

/// <summary>What the server said about one recipient.</summary>
public sealed class SmtpRecipientResult
{
    internal SmtpRecipientResult(SmtpSendRecipient recipient, SmtpReply rcptReply)
    {
        Recipient = recipient;
        RcptReply = rcptReply;
    }

    /// <summary>The recipient.</summary>
    public SmtpSendRecipient Recipient { get; }

    /// <summary>The reply to its RCPT command.</summary>
    public SmtpReply RcptReply { get; }

    /// <summary>
    /// The reply that settled delivery: for LMTP this recipient's own reply after the data (RFC 2033 §4.2); for SMTP
    /// the one reply to the end of data. <see langword="null"/> when RCPT was refused or no data was sent.
    /// </summary>
    public SmtpReply? DeliveryReply { get; internal set; }

    /// <summary>Whether the server accepted both the recipient and the message for it.</summary>
    public bool Accepted => RcptReply.IsPositiveCompletion && DeliveryReply is { IsPositiveCompletion: true };

    /// <summary>The reply that decided the outcome: the delivery reply when there is one, else the RCPT reply.</summary>
    public SmtpReply FinalReply => DeliveryReply ?? RcptReply;

    /// <inheritdoc />
    public override string ToString() => $"{Recipient.Address}: {FinalReply}";
}
