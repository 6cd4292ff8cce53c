using System.IO.Pipelines;
using Smtp.Core.Server;

namespace Smtp.Core.Hosting.Tests.Support;

/// <summary>A scoped LMTP store: one result per recipient, <c>full@</c> mailboxes refused 452 4.2.2.</summary>
internal sealed class LmtpRecordingStore(RecordingStore inner) : ILmtpMessageStore
{
    public ValueTask<SmtpResult> SaveAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
        => inner.SaveAsync(context, envelope, body, cancellationToken);

    public async ValueTask<IReadOnlyList<SmtpResult>> SaveForRecipientsAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
    {
        await inner.SaveAsync(context, envelope, body, cancellationToken);
        return [.. envelope.Recipients.Select(r => r.Address.StartsWith("full@", StringComparison.Ordinal)
            ? SmtpResult.Reject(452, "4.2.2", "Mailbox full")
            : SmtpResult.Accept())];
    }
}
