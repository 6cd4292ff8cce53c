using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Smtp.Core.Hosting.Tests.Support;
using Smtp.Core.Server;

namespace Smtp.Core.Hosting.Tests;

/// <summary>TLS from a configured certificate file and AUTH through a DI-registered authenticator, driven by smtplib.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class SecurityHostingTests
{
    private const string TlsScript = """
        import sys, smtplib, ssl
        host, port, implicit_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with smtplib.SMTP(host, port, timeout=20) as s:
            s.ehlo("python.test")
            print("starttls offered", s.has_extn("starttls"))
            print("mail before tls", s.mail("early@python.test")[0])
            s.rset()
            s.starttls(context=context)
            s.ehlo("python.test")
            s.sendmail("starttls@python.test", ["alice@example.test"], "Subject: starttls\r\n\r\nover STARTTLS\r\n")
        with smtplib.SMTP_SSL(host, implicit_port, timeout=20, context=context) as s:
            s.ehlo("python.test")
            s.sendmail("implicit@python.test", ["alice@example.test"], "Subject: implicit\r\n\r\nover implicit TLS\r\n")
        print("done")
        """;

    private const string AuthScript = """
        import sys, smtplib
        with smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=20) as s:
            s.ehlo("python.test")
            print("auth", s.esmtp_features.get("auth", ""))
            print("mail before auth", s.mail("alice@python.test")[0])
            s.rset()
            try:
                s.login("alice", "wrong")
            except smtplib.SMTPAuthenticationError as e:
                print("wrong password", e.smtp_code)
            s.login("alice", "s3cret")
            s.sendmail("alice@python.test", ["bob@example.test"], "Subject: authenticated\r\n\r\nhi\r\n")
        print("done")
        """;

    [Test]
    public async Task Starttls_and_implicit_tls_use_the_certificate_file_from_configuration()
    {
        using var certificate = new TestCertificate("pfx-password");
        IHost host = TestHost.Build(TestHost.LoopbackSettings(
            ("Smtp:Server:Certificate:Path", certificate.PfxPath),
            ("Smtp:Server:Certificate:Password", "pfx-password"),
            ("Smtp:Server:Endpoints:Test:RequireTls", "true"),
            ("Smtp:Server:Endpoints:Implicit:Address", "127.0.0.1:0"),
            ("Smtp:Server:Endpoints:Implicit:ImplicitTls", "true")));
        IPEndPoint server = await TestHost.StartAsync(host);
        try
        {
            int implicitPort = host.Services.GetRequiredService<SmtpServerHostedService>().LocalEndPoints["implicit"].Port;
            var result = (await Smtplib.RunAsync(server, TlsScript, implicitPort.ToString(System.Globalization.CultureInfo.InvariantCulture))).AssertSuccess();
            Assert.That(result.StandardOutput, Does.Contain("starttls offered True"));
            Assert.That(result.StandardOutput, Does.Contain("mail before tls 530"), "RequireTls from configuration");
            Assert.That(result.StandardOutput, Does.Contain("done"));

            ReceivedMessage[] messages = [.. host.Services.GetRequiredService<MessageSink>().Messages];
            Assert.That(messages.Select(m => (m.From, m.IsSecure)), Is.EqualTo(new[] { ("starttls@python.test", true), ("implicit@python.test", true) }));
        }
        finally
        {
            await TestHost.StopAsync(host);
        }
    }

    [Test]
    public async Task A_scoped_authenticator_shares_the_session_scope_and_required_auth_holds()
    {
        IHost host = TestHost.Build(
            TestHost.LoopbackSettings(
                ("Smtp:Server:Endpoints:Test:RequireAuthentication", "true"),
                ("Smtp:Server:Authentication:AllowWithoutTls", "true"),
                ("Smtp:Server:Authentication:FailureDelay", "00:00:00")),
            (_, smtp) => smtp.AddAuthenticator<ScopedAuthenticator>());
        IPEndPoint server = await TestHost.StartAsync(host);
        try
        {
            var result = (await Smtplib.RunAsync(server, AuthScript)).AssertSuccess();
            Assert.That(result.StandardOutput, Does.Contain("mail before auth 530"));
            Assert.That(result.StandardOutput, Does.Contain("wrong password 535"));
            Assert.That(result.StandardOutput, Does.Not.Contain("SCRAM-SHA-256"), "the authenticator is no SCRAM credential store");
            Assert.That(result.StandardOutput, Does.Contain("done"));

            ReceivedMessage message = host.Services.GetRequiredService<MessageSink>().Messages.Single();
            Assert.That(message.Identity, Is.EqualTo("alice"));
            Assert.That(ScopedAuthenticator.ProbeIds, Has.Member(message.ProbeId), "the authenticator and the store came from the same session scope");
        }
        finally
        {
            await TestHost.StopAsync(host);
        }
    }

    [Test]
    public async Task An_authenticator_instance_that_stores_scram_credentials_gets_scram_offered()
    {
        IHost host = TestHost.Build(
            TestHost.LoopbackSettings(("Smtp:Server:Authentication:AllowWithoutTls", "true"), ("Smtp:Server:Authentication:FailureDelay", "00:00:00")),
            (builder, smtp) =>
            {
                builder.Services.AddSingleton(new InMemoryUserAuthenticator().Add("alice", "s3cret"));
                smtp.AddAuthenticator<InMemoryUserAuthenticator>(ServiceLifetime.Singleton);
            });
        IPEndPoint server = await TestHost.StartAsync(host);
        try
        {
            var result = (await Smtplib.RunAsync(server, AuthScript)).AssertSuccess();
            Assert.That(result.StandardOutput, Does.Contain("SCRAM-SHA-256"));
            Assert.That(result.StandardOutput, Does.Contain("wrong password 535"));
            Assert.That(host.Services.GetRequiredService<MessageSink>().Messages.Single().Identity, Is.EqualTo("alice"));
        }
        finally
        {
            await TestHost.StopAsync(host);
        }
    }
}
