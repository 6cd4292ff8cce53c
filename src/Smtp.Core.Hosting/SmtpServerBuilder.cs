using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Smtp.Core.Hosting.Internal;
using Smtp.Core.Server;

namespace Smtp.Core.Hosting;

/// <summary>Registers the handlers of a hosted SMTP server; returned by <c>AddSmtpServer</c>.</summary>
/// <remarks>
/// Handlers are plain DI services: <c>AddMessageStore&lt;T&gt;()</c> is a shortcut for registering
/// the type and the interface, and a host may as well register <see cref="IMessageStore"/>,
/// <see cref="IMailboxFilter"/>, <see cref="IConnectionFilter"/> or <see cref="ISmtpAuthenticator"/> itself. Whatever
/// the lifetime, a handler is resolved from the session's scope, once per call.
/// </remarks>
public sealed class SmtpServerBuilder
{
    internal SmtpServerBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection the server is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Registers the connection filter, asked once per connection before the greeting.</summary>
    /// <typeparam name="T">The filter type, built by DI.</typeparam>
    /// <param name="lifetime">Its lifetime; default one instance per session.</param>
    /// <returns>This builder.</returns>
    public SmtpServerBuilder AddConnectionFilter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(ServiceLifetime lifetime = ServiceLifetime.Scoped)
        where T : class, IConnectionFilter
        => Add<IConnectionFilter, T>(lifetime);

    /// <summary>Registers the mailbox filter, asked for the sender (MAIL) and each recipient (RCPT).</summary>
    /// <typeparam name="T">The filter type, built by DI.</typeparam>
    /// <param name="lifetime">Its lifetime; default one instance per session.</param>
    /// <returns>This builder.</returns>
    public SmtpServerBuilder AddMailboxFilter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(ServiceLifetime lifetime = ServiceLifetime.Scoped)
        where T : class, IMailboxFilter
        => Add<IMailboxFilter, T>(lifetime);

    /// <summary>Registers the message store; a store that is also an <see cref="ILmtpMessageStore"/> is used as one in LMTP mode.</summary>
    /// <typeparam name="T">The store type, built by DI.</typeparam>
    /// <param name="lifetime">Its lifetime; default one instance per session.</param>
    /// <returns>This builder.</returns>
    public SmtpServerBuilder AddMessageStore<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(ServiceLifetime lifetime = ServiceLifetime.Scoped)
        where T : class, IMessageStore
    {
        Add<IMessageStore, T>(lifetime);
        if (typeof(ILmtpMessageStore).IsAssignableFrom(typeof(T)))
        {
            Services.Add(ServiceDescriptor.Describe(typeof(ILmtpMessageStore), static sp => sp.GetRequiredService<T>(), lifetime));
        }

        return this;
    }

    /// <summary>
    /// Registers the authenticator and enables AUTH (RFC 4954) with the settings of <c>Smtp:Server:Authentication</c>;
    /// an authenticator that is also an <see cref="IScramCredentialStore"/> gets SCRAM-SHA-256 offered.
    /// </summary>
    /// <typeparam name="T">The authenticator type, built by DI.</typeparam>
    /// <param name="lifetime">Its lifetime; default one instance per session.</param>
    /// <returns>This builder.</returns>
    public SmtpServerBuilder AddAuthenticator<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(ServiceLifetime lifetime = ServiceLifetime.Scoped)
        where T : class, ISmtpAuthenticator
    {
        Add<ISmtpAuthenticator, T>(lifetime);
        if (typeof(IScramCredentialStore).IsAssignableFrom(typeof(T)))
        {
            Services.Add(ServiceDescriptor.Describe(typeof(IScramCredentialStore), static sp => sp.GetRequiredService<T>(), lifetime));
        }

        return this;
    }

    /// <summary>
    /// Adjusts the <see cref="SmtpServerOptions"/> built from configuration before the server is created, for what
    /// configuration cannot say: a certificate selector by SNI, SASL mechanisms, client certificate checks.
    /// </summary>
    /// <remarks>
    /// An <see cref="SmtpServerOptions.SessionObserver"/> set here runs inside the session's DI scope: its start
    /// callback after the scope is created, its end callback before the scope is disposed.
    /// </remarks>
    /// <param name="configure">Called once at start-up with the root service provider and the options.</param>
    /// <returns>This builder.</returns>
    public SmtpServerBuilder ConfigureServer(Action<IServiceProvider, SmtpServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.AddSingleton(new SmtpServerConfigureAction(configure));
        return this;
    }

    private SmtpServerBuilder Add<TService, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(ServiceLifetime lifetime)
        where TService : class
        where T : class, TService
    {
        // TryAdd: an instance the host registered itself (services.AddSingleton(myStore)) is kept.
        Services.TryAdd(ServiceDescriptor.Describe(typeof(T), typeof(T), lifetime));
        Services.Add(ServiceDescriptor.Describe(typeof(TService), static sp => sp.GetRequiredService<T>(), lifetime));
        return this;
    }
}
