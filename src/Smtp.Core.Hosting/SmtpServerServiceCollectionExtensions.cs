using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Smtp.Core.Hosting.Internal;

namespace Smtp.Core.Hosting;

/// <summary>Registers a hosted SMTP server: <c>builder.Services.AddSmtpServer().AddMessageStore&lt;MyStore&gt;();</c>.</summary>
public static class SmtpServerServiceCollectionExtensions
{
    /// <summary>The configuration section bound by default: <c>Smtp:Server</c>.</summary>
    public const string DefaultSectionPath = "Smtp:Server";

    /// <summary>
    /// Registers an SMTP server that starts and stops with the host (<see cref="SmtpServerHostedService"/>), with
    /// <see cref="SmtpServerHostOptions"/> bound from <paramref name="configSectionPath"/> of the host's configuration
    /// and validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configSectionPath">The configuration section to bind, default <c>Smtp:Server</c>.</param>
    /// <param name="configure">Changes applied after binding, for example endpoints added in code.</param>
    /// <returns>A builder to register the handlers with.</returns>
    /// <remarks>
    /// Logs go to the host's <c>ILoggerFactory</c> (categories <c>Smtp.Core.Server</c>, <c>Smtp.Core.Hosting</c>);
    /// a <see cref="TimeProvider"/> registered in DI drives the server's timeouts.
    /// </remarks>
    public static SmtpServerBuilder AddSmtpServer(this IServiceCollection services, string configSectionPath = DefaultSectionPath, Action<SmtpServerHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configSectionPath);
        if (services.Any(static d => d.ServiceType == typeof(SmtpServerHostedService)))
        {
            // One hosted server per host: a second call only adds its changes (its section path is not bound again).
            if (configure is not null)
            {
                services.Configure(configure);
            }

            return new SmtpServerBuilder(services);
        }

        OptionsBuilder<SmtpServerHostOptions> options = services.AddOptions<SmtpServerHostOptions>()
            .Configure<IServiceProvider>((o, sp) =>
            {
                // Without an IConfiguration in DI (a bare ServiceCollection), the options come from code alone.
                if (configSectionPath.Length > 0 && sp.GetService<IConfiguration>() is { } configuration)
                {
                    configuration.GetSection(configSectionPath).Bind(o);
                }
            })
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSingleton<IValidateOptions<SmtpServerHostOptions>>(
            sp => new SmtpServerHostOptionsValidator(configSectionPath, sp.GetRequiredService<IServiceProviderIsService>()));
        services.TryAddSingleton(sp => new SmtpServerHostedService(
            sp.GetRequiredService<IOptions<SmtpServerHostOptions>>(), sp, sp.GetServices<SmtpServerConfigureAction>()));
        services.AddHostedService(static sp => sp.GetRequiredService<SmtpServerHostedService>());
        return new SmtpServerBuilder(services);
    }

    /// <summary>Registers an SMTP server configured from section <c>Smtp:Server</c> and then by <paramref name="configure"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes applied after binding.</param>
    /// <returns>A builder to register the handlers with.</returns>
    public static SmtpServerBuilder AddSmtpServer(this IServiceCollection services, Action<SmtpServerHostOptions> configure)
        => AddSmtpServer(services, DefaultSectionPath, configure);
}
