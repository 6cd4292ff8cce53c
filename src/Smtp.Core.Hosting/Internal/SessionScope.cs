using Microsoft.Extensions.DependencyInjection;

namespace Smtp.Core.Hosting.Internal;

/// <summary>
/// The DI scope of the session running on the current async flow. The listener creates one scope per connection
/// and runs the whole session inside it; every host call the session makes (filters, store, authenticator) flows
/// from that call, so the adapters find the session's scope here.
/// </summary>
/// <remarks>
/// An async-local rather than a lookup by <c>ISmtpSessionContext.SessionId</c>: the core creates the session id
/// inside <c>RunSessionOnEndpointAsync</c> and says nothing when a session ends, while the listener knows both ends
/// of the call that runs the session.
/// </remarks>
internal static class SessionScope
{
    private static readonly AsyncLocal<IServiceProvider?> s_current = new();

    public static IServiceProvider? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    /// <summary>Runs <paramref name="call"/> with a service from the session's scope, or from a scope of its own outside a session.</summary>
    public static async ValueTask<TResult> InvokeAsync<TService, TResult>(IServiceScopeFactory scopes, Func<TService, ValueTask<TResult>> call)
        where TService : notnull
    {
        if (Current is { } provider)
        {
            return await call(provider.GetRequiredService<TService>()).ConfigureAwait(false);
        }

        AsyncServiceScope scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await call(scope.ServiceProvider.GetRequiredService<TService>()).ConfigureAwait(false);
        }
    }
}
