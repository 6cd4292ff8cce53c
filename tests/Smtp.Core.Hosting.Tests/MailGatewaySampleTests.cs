using System.Net;
using System.Text.Json;
using MailGateway;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Smtp.Core.Hosting.Tests.Support;

namespace Smtp.Core.Hosting.Tests;

/// <summary>The MailGateway sample's policy (allow-list, greylisting, sender rate) and store, through its own composition.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class MailGatewaySampleTests
{
    private string _mailDirectory = "";

    [SetUp]
    public void CreateMailDirectory() => _mailDirectory = Path.Combine(Path.GetTempPath(), "smtp-gateway-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteMailDirectory()
    {
        if (Directory.Exists(_mailDirectory))
        {
            Directory.Delete(_mailDirectory, recursive: true);
        }
    }

    [Test]
    public async Task An_unknown_triple_is_greylisted_then_accepted_on_retry_and_written_as_eml_with_a_json_envelope()
    {
        const string script = """
            import sys, smtplib, time
            def attempt():
                with smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=20) as s:
                    s.ehlo("retry.test")
                    s.mail("sender@retry.test")
                    code, text = s.rcpt("alice@example.test")
                    print("rcpt", code, text.decode())
                    if code == 250:
                        s.data("Subject: greylisted\r\n\r\nsecond time lucky\r\n")
            attempt()
            attempt()
            time.sleep(1.5)
            attempt()
            """;
        await using var gateway = await GatewayAsync(("Gateway:GreylistDelay", "00:00:01"));
        var result = (await Smtplib.RunAsync(gateway.Server, script)).AssertSuccess();
        string[] lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(3));
        Assert.That(lines[0], Does.StartWith("rcpt 450 4.7.1 Greylisted"));
        Assert.That(lines[1], Does.StartWith("rcpt 450 4.7.1 Greylisted"), "a retry before the delay is still refused");
        Assert.That(lines[2], Does.StartWith("rcpt 250"));

        string eml = Directory.GetFiles(_mailDirectory, "*.eml").Single();
        Assert.That(File.ReadAllText(eml), Does.EndWith("second time lucky\r\n"));
        using JsonDocument envelope = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(eml, ".json")));
        Assert.That(envelope.RootElement.GetProperty("From").GetString(), Is.EqualTo("sender@retry.test"));
        Assert.That(envelope.RootElement.GetProperty("Recipients")[0].GetString(), Is.EqualTo("alice@example.test"));
        Assert.That(envelope.RootElement.GetProperty("ClientName").GetString(), Is.EqualTo("retry.test"));
        Assert.That(Directory.GetFiles(_mailDirectory, "*.tmp"), Is.Empty);
    }

    [Test]
    public async Task Recipients_outside_the_allowed_domains_are_refused_550_5_7_1()
    {
        const string script = """
            import sys, smtplib
            with smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=20) as s:
                s.ehlo("relay.test")
                s.mail("sender@relay.test")
                print(s.rcpt("victim@elsewhere.test")[0], s.rcpt("bob@EXAMPLE.test")[0])
            """;
        await using var gateway = await GatewayAsync(("Gateway:GreylistDelay", "00:00:00"));
        var result = (await Smtplib.RunAsync(gateway.Server, script)).AssertSuccess();
        Assert.That(result.StandardOutput.Trim(), Is.EqualTo("550 250"));
    }

    [Test]
    public async Task A_sender_over_its_hourly_limit_is_answered_450_4_7_1()
    {
        const string script = """
            import sys, smtplib
            with smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=20) as s:
                s.ehlo("busy.test")
                for i in range(3):
                    try:
                        s.sendmail("busy@busy.test", ["alice@example.test"], "Subject: %d\r\n\r\nbody\r\n" % i)
                        print("sent", i)
                    except smtplib.SMTPSenderRefused as e:
                        print("refused", i, e.smtp_code, e.smtp_error.decode())
                s.sendmail("other@busy.test", ["alice@example.test"], "Subject: other\r\n\r\nbody\r\n")
                print("other sent")
            """;
        await using var gateway = await GatewayAsync(("Gateway:GreylistDelay", "00:00:00"), ("Gateway:MaxMessagesPerSenderPerHour", "2"));
        var result = (await Smtplib.RunAsync(gateway.Server, script)).AssertSuccess();
        Assert.That(result.StandardOutput, Does.Contain("sent 0\nsent 1\nrefused 2 450 4.7.1 Sender rate limit exceeded"));
        Assert.That(result.StandardOutput, Does.Contain("other sent"), "the limit is per sender");
        Assert.That(Directory.GetFiles(_mailDirectory, "*.eml"), Has.Length.EqualTo(3));
    }

    private async Task<RunningGateway> GatewayAsync(params (string Key, string Value)[] settings)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var values = new Dictionary<string, string?>
        {
            // The sample's own appsettings.json, with the port and folder of this test.
            ["Smtp:Server:ServerName"] = "gateway.test",
            ["Smtp:Server:Endpoints:Smtp:Address"] = "127.0.0.1:0",
            ["Gateway:AllowedDomains:0"] = "example.test",
            ["Gateway:MailDirectory"] = _mailDirectory,
        };
        foreach ((string key, string value) in settings)
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        IHost host = GatewayHost.Configure(builder).Build();
        using var cts = new CancellationTokenSource(TestHost.Timeout);
        await host.StartAsync(cts.Token);
        return new RunningGateway(host, host.Services.GetRequiredService<SmtpServerHostedService>().LocalEndPoints["Smtp"]);
    }

    private sealed record RunningGateway(IHost Host, IPEndPoint Server) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await TestHost.StopAsync(Host);
    }
}
