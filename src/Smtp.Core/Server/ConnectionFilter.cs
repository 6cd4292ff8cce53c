namespace Smtp.Core.Server;

/// <summary>Builds an <see cref="IConnectionFilter"/> from a delegate.</summary>
public static class ConnectionFilter
{
    /// <summary>A filter that calls <paramref name="accept"/> for every connection.</summary>
    /// <param name="accept">Decides on the connection.</param>
    public static IConnectionFilter FromDelegate(Func<ISmtpSessionContext, CancellationToken, ValueTask<SmtpResult>> accept)
    {
        ArgumentNullException.ThrowIfNull(accept);
        return new DelegateFilter(accept);
    }

    private sealed class DelegateFilter(Func<ISmtpSessionContext, CancellationToken, ValueTask<SmtpResult>> accept) : IConnectionFilter
    {
        public ValueTask<SmtpResult> AcceptConnectionAsync(ISmtpSessionContext context, CancellationToken cancellationToken)
            => accept(context, cancellationToken);
    }
}
