using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Smtp.Core.Hosting;

namespace MailGateway;

/// <summary>The gateway's composition, shared by <c>Program</c> and the tests.</summary>
internal static class GatewayHost
{
    public static HostApplicationBuilder Configure(HostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>().Bind(builder.Configuration.GetSection("Gateway"));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Greylist>();
        builder.Services.AddSingleton<SenderRateLimiter>();
        builder.Services.AddSmtpServer()
            .AddMailboxFilter<GatewayMailboxFilter>()
            .AddMessageStore<EmlFileStore>();
        return builder;
    }
}
