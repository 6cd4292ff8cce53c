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

    /// <summary>Runs <paramref name="call"/> with a service from the session's scope.</summary>
    /// <returns>The handler's result; faulted with <see cref="InvalidOperationException"/> outside a session this observer started (the server logs it as a handler failure).</returns>
    public static ValueTask<TResult> InvokeAsync<TService, TResult>(ISmtpSessionContext context, Func<TService, ValueTask<TResult>> call)
        where TService : notnull
    {
        try
        {
            if (context.Properties.TryGetValue(PropertyName, out object? value) && value is AsyncServiceScope session)
            {
                return call(session.ServiceProvider.GetRequiredService<TService>());
            }

            // The server calls handlers only between the start and end callbacks; resolving from the root provider
            // instead would turn a scoped service into a process-wide one.
            throw new InvalidOperationException($"{typeof(TService).Name} was called outside a session's DI scope.");
        }
        catch (Exception ex)
        {
            // A handler call fails through its task, as an async handler's would.
            return ValueTask.FromException<TResult>(ex);
        }
    }
}
