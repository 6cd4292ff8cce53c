using Microsoft.Extensions.DependencyInjection;
using Smtp.Core.Server;

namespace Smtp.Core.Hosting.Internal;

/// <summary>
/// Gives every session a DI scope of its own: created when the session starts, kept in the session's
/// <see cref="ISmtpSessionContext.Properties"/>, disposed when it ends. The scoped handler adapters resolve the host's
/// handlers from it, so scoped services (a DbContext) are shared by one session's calls and live as long as it.
/// </summary>
/// <remarks>
/// The server guarantees the pairing (see <see cref="ISmtpSessionObserver"/>): the end callback runs once per started
/// session, after its last handler call, on every ending. A host's own observer set in <c>ConfigureServer</c> is
/// called inside the scope: after it is created and before it is disposed.
/// </remarks>
internal sealed class SessionScope(IServiceScopeFactory scopes, ISmtpSessionObserver? inner) : ISmtpSessionObserver
{
    /// <summary>The property that holds the session's <see cref="AsyncServiceScope"/>.</summary>
    internal const string PropertyName = "Smtp.Core.Hosting.ServiceScope";

    public async ValueTask SessionStartedAsync(ISmtpSessionContext context, CancellationToken cancellationToken)
    {
        context.Properties[PropertyName] = scopes.CreateAsyncScope();
        if (inner is not null)
        {
            await inner.SessionStartedAsync(context, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask SessionEndedAsync(ISmtpSessionContext context, CancellationToken cancellationToken)
    {
        try
        {
            if (inner is not null)
            {
                await inner.SessionEndedAsync(context, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (context.Properties.Remove(PropertyName, out object? value) && value is AsyncServiceScope scope)
            {
                await scope.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs <paramref name="call"/> with a service from the session's scope, or from a scope of its own outside a session.</summary>
    public static async ValueTask<TResult> InvokeAsync<TService, TResult>(IServiceScopeFactory scopes, ISmtpSessionContext context, Func<TService, ValueTask<TResult>> call)
        where TService : notnull
    {
        if (context.Properties.TryGetValue(PropertyName, out object? value) && value is AsyncServiceScope session)
        {
            return await call(session.ServiceProvider.GetRequiredService<TService>()).ConfigureAwait(false);
        }

        // A server built outside the hosted service (a ConfigureServer callback replaced the observer chain, or the
        // handlers were taken elsewhere): one scope per call still keeps scoped services off the root provider.
        AsyncServiceScope scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await call(scope.ServiceProvider.GetRequiredService<TService>()).ConfigureAwait(false);
        }
    }
}
