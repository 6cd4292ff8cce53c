using Smtp.Core.Server;

namespace Smtp.Core.Hosting.Tests.Support;

/// <summary>A scoped mailbox filter: records which probe it shares with the store, refuses <c>nobody@</c> with 550 5.1.1.</summary>
internal sealed class ProbeMailboxFilter(SessionProbe probe, MessageSink sink) : IMailboxFilter
{
    public ValueTask<SmtpResult> CanAcceptFromAsync(ISmtpSessionContext context, SmtpEnvelope envelope, CancellationToken cancellationToken)
    {
        sink.FilterCalls.Enqueue((context.SessionId, probe.Id));
        return ValueTask.FromResult(SmtpResult.Accept());
    }

    public ValueTask<SmtpResult> CanDeliverToAsync(ISmtpSessionContext context, SmtpEnvelope envelope, SmtpRecipient recipient, CancellationToken cancellationToken)
    {
        sink.FilterCalls.Enqueue((context.SessionId, probe.Id));
        return ValueTask.FromResult(recipient.Address.StartsWith("nobody@", StringComparison.OrdinalIgnoreCase)
            ? SmtpResult.Reject(550, "5.1.1", "No such user here")
            : SmtpResult.Accept());
    }
}
