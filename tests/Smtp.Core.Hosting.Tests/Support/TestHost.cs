using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Smtp.Core.Hosting.Tests.Support;

/// <summary>Builds real generic hosts for the tests: configuration from an in-memory collection, scope validation on.</summary>
internal static class TestHost
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Settings for one SMTP endpoint on 127.0.0.1 with a free port, named "Test".</summary>
    public static Dictionary<string, string?> LoopbackSettings(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Smtp:Server:ServerName"] = "hosting.test",
            ["Smtp:Server:Endpoints:Test:Address"] = "127.0.0.1:0",
        };
        foreach ((string key, string? value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>A host with <c>AddSmtpServer()</c>, the recording handlers, and whatever <paramref name="configure"/> adds.</summary>
    public static IHost Build(IDictionary<string, string?> settings, Action<HostApplicationBuilder, SmtpServerBuilder>? configure = null, CapturingLoggerProvider? logs = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // No appsettings.json, environment variables or command line of the test runner leak in.
            DisableDefaults = true,
            EnvironmentName = "Test",
        });
        builder.Configuration.AddInMemoryCollection(settings);

        // Scope validation proves the handlers are resolved from a session scope, never from the root provider.
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = Timeout);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
        }

        builder.Services.AddSingleton<MessageSink>();
        SmtpServerBuilder smtp = builder.Services.AddSmtpServer()
            .AddMessageStore<RecordingStore>()
            .AddMailboxFilter<ProbeMailboxFilter>();
        builder.Services.AddScoped<SessionProbe>();
        configure?.Invoke(builder, smtp);
        return builder.Build();
    }

    /// <summary>Starts <paramref name="host"/> within the timeout and gives the endpoint named "Test".</summary>
    public static async Task<IPEndPoint> StartAsync(IHost host, string endpointName = "Test")
    {
        using var cts = new CancellationTokenSource(Timeout);
        await host.StartAsync(cts.Token);
        return host.Services.GetRequiredService<SmtpServerHostedService>().LocalEndPoints[endpointName];
    }

    /// <summary>Stops the host within the timeout (graceful SMTP shutdown included) and disposes it.</summary>
    public static async Task StopAsync(IHost host)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await host.StopAsync(cts.Token);
        if (host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds: scopes are disposed just after the client saw the session end.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}");
            }

            await Task.Delay(20);
        }
    }
}
