using System.IO.Pipelines;

namespace Smtp.Core.Server;

/// <summary>Builds an <see cref="IMessageStore"/> from a delegate.</summary>
public static class MessageStore
{
    /// <summary>A store that calls <paramref name="save"/> for every message (see <see cref="IMessageStore"/> for the body contract).</summary>
    /// <param name="save">Stores one message and returns the decision.</param>
    public static IMessageStore FromDelegate(Func<ISmtpSessionContext, SmtpEnvelope, PipeReader, CancellationToken, ValueTask<SmtpResult>> save)
    {
        ArgumentNullException.ThrowIfNull(save);
        return new DelegateStore(save);
    }

    private sealed class DelegateStore(Func<ISmtpSessionContext, SmtpEnvelope, PipeReader, CancellationToken, ValueTask<SmtpResult>> save) : IMessageStore
    {
        public ValueTask<SmtpResult> SaveAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
            => save(context, envelope, body, cancellationToken);
    }
}
