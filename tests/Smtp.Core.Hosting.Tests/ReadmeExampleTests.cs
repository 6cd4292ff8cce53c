using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Smtp.Core.Hosting.Tests.Support;
using Smtp.Core.Server;
using Smtp.Core.Storage;

namespace Smtp.Core.Hosting.Tests;

/// <summary>The README's shortest server, as written there (port 0 instead of 2525), configured in code only.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ReadmeExampleTests
{
    [Test]
    public async Task The_readme_server_delivers_into_a_maildir()
    {
        string maildir = Path.Combine(Path.GetTempPath(), "smtp-readme-" + Guid.NewGuid().ToString("N"));
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Services.AddSingleton<IMessageStore>(new MaildirMessageStore(maildir));
            builder.Services.AddSmtpServer(o => o.Endpoints["Smtp"] = new() { Address = "127.0.0.1:0" });
            using IHost host = builder.Build();
            await host.StartAsync();
            IPEndPoint server = host.Services.GetRequiredService<SmtpServerHostedService>().LocalEndPoints["smtp"];
            try
            {
                (await Smtplib.RunAsync(server, Smtplib.SendScript, "1")).AssertSuccess();
            }
            finally
            {
                await host.StopAsync();
            }

            Assert.That(Directory.GetFiles(Path.Combine(maildir, "new")), Has.Length.EqualTo(1));
        }
        finally
        {
            Directory.Delete(maildir, recursive: true);
        }
    }
}
