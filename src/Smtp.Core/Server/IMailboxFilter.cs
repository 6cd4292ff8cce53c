namespace Smtp.Core.Server;

/// <summary>Decides on the sender (MAIL) and on each recipient (RCPT) of a transaction.</summary>
public interface IMailboxFilter
{
    /// <summary>Called for a syntactically valid MAIL command.</summary>
    /// <param name="context">The session.</param>
    /// <param name="envelope">The new transaction: <see cref="SmtpEnvelope.From"/> and the MAIL parameters are set, no recipient yet.</param>
    /// <param name="cancellationToken">Cancelled when the session is aborted.</param>
    /// <returns>Accept for the default <c>250 2.1.0</c>, or a refusal such as 550 5.7.1 or 451 4.7.1.</returns>
    ValueTask<SmtpResult> CanAcceptFromAsync(ISmtpSessionContext context, SmtpEnvelope envelope, CancellationToken cancellationToken);

    /// <summary>Called for a syntactically valid RCPT command within the recipient limit.</summary>
    /// <param name="context">The session.</param>
    /// <param name="envelope">The transaction so far (the recipient is not yet in <see cref="SmtpEnvelope.Recipients"/>).</param>
    /// <param name="recipient">The recipient and its DSN parameters.</param>
    /// <param name="cancellationToken">Cancelled when the session is aborted.</param>
    /// <returns>Accept for the default <c>250 2.1.5</c>, or a refusal such as 550 5.1.1 or 450 4.2.1.</returns>
    ValueTask<SmtpResult> CanDeliverToAsync(ISmtpSessionContext context, SmtpEnvelope envelope, SmtpRecipient recipient, CancellationToken cancellationToken);
}
