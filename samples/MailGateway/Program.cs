// A mail gateway in a generic host: an SMTP server from appsettings.json (section Smtp:Server) with a
// domain allow-list, per-sender rate limits and greylisting (section Gateway), writing .eml files with a JSON
// envelope. Ctrl+C stops it gracefully: idle clients get 421, transfers in progress finish.
//
//   dotnet run --project samples/MailGateway
//   swaks --server 127.0.0.1:2525 --to someone@example.test     (greylisted: 450 4.7.1; retry after 5 s)
using MailGateway;
using Microsoft.Extensions.Hosting;

HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,

    // appsettings.json sits beside the program, wherever `dotnet run` is started from.
    ContentRootPath = AppContext.BaseDirectory,
});
GatewayHost.Configure(builder);
await builder.Build().RunAsync();
