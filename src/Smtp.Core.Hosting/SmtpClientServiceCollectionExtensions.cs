using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smtp.Core.Auth;
using Smtp.Core.Client;
using Smtp.Core.Hosting.Internal;

namespace Smtp.Core.Hosting;

/// <summary>Registers a pooled SMTP client: <c>builder.Services.AddSmtpClient();</c> then inject <see cref="SmtpClientPool"/>.</summary>
public static class SmtpClientServiceCollectionExtensions
{
    /// <summary>The configuration section bound by default: <c>Smtp:Client</c>.</summary>
    public const string DefaultSectionPath = "Smtp:Client";

    /// <summary>
    /// Registers a singleton <see cref="SmtpClientPool"/> configured from <paramref name="configSectionPath"/>, validated
    /// when the host starts, logging to the host's <c>ILoggerFactory</c> (category <c>Smtp.Core.Client</c>) and
    /// disposed (its connections closed with QUIT) with the container.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configSectionPath">The configuration section to bind, default <c>Smtp:Client</c>.</param>
    /// <param name="configure">Changes applied after binding.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddSmtpClient(this IServiceCollection services, string configSectionPath = DefaultSectionPath, Action<SmtpClientHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddOptions(services, Options.DefaultName, configSectionPath, configure);
        services.TryAddSingleton(sp => CreatePool(sp, Options.DefaultName));
        return services;
    }

    /// <summary>
    /// Registers a keyed singleton <see cref="SmtpClientPool"/> (inject with <c>[FromKeyedServices("name")]</c>), for
    /// applications that send through several servers.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The service key, also the name of its options.</param>
    /// <param name="configSectionPath">The configuration section to bind, for example <c>Smtp:Clients:Relay</c>.</param>
    /// <param name="configure">Changes applied after binding.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKeyedSmtpClient(this IServiceCollection services, string name, string configSectionPath, Action<SmtpClientHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        AddOptions(services, name, configSectionPath, configure);
        services.TryAddKeyedSingleton(name, (sp, _) => CreatePool(sp, name));
        return services;
    }

    private static void AddOptions(IServiceCollection services, string name, string configSectionPath, Action<SmtpClientHostOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(configSectionPath);
        OptionsBuilder<SmtpClientHostOptions> options = services.AddOptions<SmtpClientHostOptions>(name)
            .Configure<IServiceProvider>((o, sp) =>
            {
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

        services.AddSingleton<IValidateOptions<SmtpClientHostOptions>>(new SmtpClientHostOptionsValidator(name, configSectionPath));
    }

    private static SmtpClientPool CreatePool(IServiceProvider services, string name)
    {
        SmtpClientHostOptions o = services.GetRequiredService<IOptionsMonitor<SmtpClientHostOptions>>().Get(name);
        var defaults = new SmtpClientOptions { Host = "localhost" };
        SaslClientCredentials? credentials = o.UserName is null ? null
            : o.AccessToken is not null ? SaslClientCredentials.FromAccessToken(o.UserName, o.AccessToken)
            : SaslClientCredentials.FromPassword(o.UserName, o.Password ?? "");
        var options = new SmtpClientOptions
        {
            Host = o.Host ?? throw new OptionsValidationException(name, typeof(SmtpClientHostOptions), ["Host is missing."]),
            Port = o.Port ?? defaults.Port,
            TlsMode = o.TlsMode ?? defaults.TlsMode,
            TargetHost = o.TargetHost,
            ClientName = o.ClientName,
            UseLmtp = o.UseLmtp,
            Credentials = credentials,
            AuthMechanism = o.AuthMechanism,
            AllowAuthWithoutTls = o.AllowAuthWithoutTls,
            UsePipelining = o.UsePipelining ?? defaults.UsePipelining,
            UseChunking = o.UseChunking ?? defaults.UseChunking,
            ChunkSize = o.ChunkSize ?? defaults.ChunkSize,
            ConnectTimeout = o.ConnectTimeout ?? defaults.ConnectTimeout,
            CommandTimeout = o.CommandTimeout ?? defaults.CommandTimeout,
            DataTimeout = o.DataTimeout ?? defaults.DataTimeout,
            RemoteCertificateValidation = o.RemoteCertificateValidation,
            Logger = services.GetService<ILoggerFactory>()?.CreateLogger(SmtpTelemetry.ClientLogCategory),
        };
        return new SmtpClientPool(options, o.MaxConnections, o.HealthCheckAfterIdle);
    }
}
