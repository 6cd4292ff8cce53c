using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Smtp.Core.Client;
using Smtp.Core.Hosting.Tests.Support;

namespace Smtp.Core.Hosting.Tests;

/// <summary>AddSmtpClient: a pool bound from configuration, sending to a hosted server.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class ClientHostingTests
{
    [Test]
    public async Task A_pooled_client_from_configuration_delivers_over_starttls_to_a_hosted_server()
    {
        using var certificate = new TestCertificate("pw");
        IHost serverHost = TestHost.Build(TestHost.LoopbackSettings(
            ("Smtp:Server:Certificate:Path", certificate.PfxPath),
            ("Smtp:Server:Certificate:Password", "pw")));
        IPEndPoint server = await TestHost.StartAsync(serverHost);
        try
        {
            HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Smtp:Client:Host"] = "127.0.0.1",
                ["Smtp:Client:Port"] = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Smtp:Client:TlsMode"] = "StartTlsRequired",
                ["Smtp:Client:ClientName"] = "client.test",
                ["Smtp:Client:MaxConnections"] = "2",
            });

            // The test certificate is self-signed: trust exactly it (code only, never from configuration).
            builder.Services.AddSmtpClient(configure: o => o.RemoteCertificateValidation = (_, cert, _, _) => cert is not null);
            using IHost clientHost = builder.Build();
            await clientHost.StartAsync();
            SmtpClientPool pool = clientHost.Services.GetRequiredService<SmtpClientPool>();
            Assert.That(pool.MaxConnections, Is.EqualTo(2));

            SmtpSendResult result = await pool.SendAsync(
                new SmtpSendEnvelope("pool@client.test", "alice@example.test", "nobody@example.test"),
                SmtpMessageContent.FromBytes(Encoding.ASCII.GetBytes("Subject: pooled\r\n\r\nfrom the pool\r\n")));
            await clientHost.StopAsync();

            Assert.That(result.Recipients.Select(r => r.Accepted), Is.EqualTo(new[] { true, false }));
            ReceivedMessage message = serverHost.Services.GetRequiredService<MessageSink>().Messages.Single();
            Assert.Multiple(() =>
            {
                Assert.That(message.From, Is.EqualTo("pool@client.test"));
                Assert.That(message.ClientName, Is.EqualTo("client.test"));
                Assert.That(message.IsSecure, Is.True);
                Assert.That(message.Body, Does.EndWith("from the pool\r\n"));
            });
        }
        finally
        {
            await TestHost.StopAsync(serverHost);
        }
    }

    [Test]
    public async Task Keyed_clients_bind_their_own_sections()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Smtp:Clients:Relay:Host"] = "relay.example.test",
            ["Smtp:Clients:Relay:MaxConnections"] = "7",
            ["Smtp:Clients:Backup:Host"] = "backup.example.test",
        }).Build());
        services.AddKeyedSmtpClient("relay", "Smtp:Clients:Relay");
        services.AddKeyedSmtpClient("backup", "Smtp:Clients:Backup");
        // SmtpClientPool is IAsyncDisposable only: the container must be disposed asynchronously, as hosts do.
        await using ServiceProvider provider = services.BuildServiceProvider();
        Assert.That(provider.GetRequiredKeyedService<SmtpClientPool>("relay").MaxConnections, Is.EqualTo(7));
        Assert.That(provider.GetRequiredKeyedService<SmtpClientPool>("backup").MaxConnections, Is.EqualTo(4));
    }
}
