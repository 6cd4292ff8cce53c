using System.IO.Pipelines;

namespace Smtp.Core.Server;

/// <summary>
/// An optional add-on to <see cref="IMessageStore"/> for LMTP (RFC 2033 §4.2): one result per accepted
/// recipient, sent as one reply each after the end of data.
/// </summary>
/// <remarks>
/// In LMTP mode a store that does not implement this interface is called through
/// <see cref="IMessageStore.SaveAsync"/>, and its one result is repeated for every recipient.
/// </remarks>
public interface ILmtpMessageStore : IMessageStore
{
    /// <summary>Stores one message for each recipient and says, per recipient, how it went.</summary>
    /// <param name="context">The session.</param>
    /// <param name="envelope">The sender, the accepted recipients and the MAIL parameters.</param>
    /// <param name="body">The streamed, unstuffed body (see <see cref="IMessageStore"/> for the contract).</param>
    /// <param name="cancellationToken">Cancelled when the session is aborted.</param>
    /// <returns>One result per entry of <see cref="SmtpEnvelope.Recipients"/>, in the same order.</returns>
    ValueTask<IReadOnlyList<SmtpResult>> SaveForRecipientsAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken);
}
