namespace Smtp.Core.Server;

/// <summary>Builds an <see cref="IMailboxFilter"/> from delegates.</summary>
public static class MailboxFilter
{
    /// <summary>A filter calling the given delegates; a missing delegate accepts.</summary>
    /// <param name="canAcceptFrom">Decides on the sender (MAIL), or <see langword="null"/> to accept every sender.</param>
    /// <param name="canDeliverTo">Decides on each recipient (RCPT), or <see langword="null"/> to accept every recipient.</param>
    public static IMailboxFilter FromDelegates(
        Func<ISmtpSessionContext, SmtpEnvelope, CancellationToken, ValueTask<SmtpResult>>? canAcceptFrom = null,
        Func<ISmtpSessionContext, SmtpEnvelope, SmtpRecipient, CancellationToken, ValueTask<SmtpResult>>? canDeliverTo = null)
        => new DelegateFilter(canAcceptFrom, canDeliverTo);

    private sealed class DelegateFilter(
        Func<ISmtpSessionContext, SmtpEnvelope, CancellationToken, ValueTask<SmtpResult>>? canAcceptFrom,
        Func<ISmtpSessionContext, SmtpEnvelope, SmtpRecipient, CancellationToken, ValueTask<SmtpResult>>? canDeliverTo) : IMailboxFilter
    {
        public ValueTask<SmtpResult> CanAcceptFromAsync(ISmtpSessionContext context, SmtpEnvelope envelope, CancellationToken cancellationToken)
            => canAcceptFrom?.Invoke(context, envelope, cancellationToken) ?? ValueTask.FromResult(SmtpResult.Accept());

        public ValueTask<SmtpResult> CanDeliverToAsync(ISmtpSessionContext context, SmtpEnvelope envelope, SmtpRecipient recipient, CancellationToken cancellationToken)
            => canDeliverTo?.Invoke(context, envelope, recipient, cancellationToken) ?? ValueTask.FromResult(SmtpResult.Accept());
    }
}
