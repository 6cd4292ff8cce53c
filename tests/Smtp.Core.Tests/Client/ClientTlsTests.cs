using Smtp.Core.Client;

namespace Smtp.Core.Tests.Client;

[TestFixture]
[CancelAfter(60_000)]
public sealed class ClientTlsTests
{
    private static readonly string[] OnlyHelloAndQuit = ["EHLO", "QUIT"];

    [Test]
    public async Task StartTlsRequired_without_STARTTLS_offered_fails_and_sends_nothing_but_QUIT_after_EHLO()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 scripted.test ESMTP\r\n");
            await s.ExpectAsync("EHLO");
            await s.SendEhloAsync("PIPELINING", "AUTH PLAIN LOGIN", "8BITMIME");
            string? next = await s.ReadLineAsync();
            if (next is not null)
            {
                await s.SendAsync("221 bye\r\n");
            }

            await s.ClientSendsMoreAsync(TimeSpan.FromSeconds(1));
        });
        var options = ClientTestOptions.For(server.Port, SmtpTlsMode.StartTlsRequired,
            credentials: Smtp.Core.Auth.SaslClientCredentials.FromPassword("user", "secret"));

        var e = Assert.ThrowsAsync<SmtpSecurityException>(() => SmtpClient.ConnectAsync(options));
        Assert.That(e!.Message, Does.Contain("STARTTLS"));
        await server.CompleteAsync();
        var commands = server.Sessions.Single().Commands;
        Assert.That(commands.Select(c => c.Split(' ')[0]), Is.SubsetOf(OnlyHelloAndQuit));
        Assert.That(System.Text.Encoding.ASCII.GetString(server.Sessions.Single().Received), Does.Not.Contain("secret").And.Not.Contain("AUTH"));
    }

    [Test]
    public async Task StartTls_refused_is_a_security_error_with_the_reply()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 scripted.test ESMTP\r\n");
            await s.ExpectAsync("EHLO");
            await s.SendEhloAsync("STARTTLS");
            await s.ExpectAsync("STARTTLS");
            await s.SendAsync("454 4.7.0 TLS not available due to temporary reason\r\n");
            if (await s.ReadLineAsync() is { } quit)
            {
                Assert.That(quit, Is.EqualTo("QUIT"));
                await s.SendAsync("221 bye\r\n");
            }
        });
        var options = ClientTestOptions.For(server.Port, SmtpTlsMode.StartTlsWhenOffered);

        var e = Assert.ThrowsAsync<SmtpSecurityException>(() => SmtpClient.ConnectAsync(options));
        Assert.That(e!.Reply?.Code, Is.EqualTo(454));
        await server.CompleteAsync();
    }

    [Test]
    public async Task Replies_injected_after_the_220_to_STARTTLS_are_refused_before_the_handshake()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 scripted.test ESMTP\r\n");
            await s.ExpectAsync("EHLO");
            await s.SendEhloAsync("STARTTLS");
            await s.ExpectAsync("STARTTLS");

            // A man in the middle (or a broken server) appends plain-text replies meant to be read after the handshake.
            await s.SendAsync("220 2.0.0 Ready to start TLS\r\n250-injected.test\r\n250 AUTH PLAIN\r\n235 2.7.0 Authenticated\r\n");
            await s.ClientSendsMoreAsync(TimeSpan.FromSeconds(2));
        });
        var options = ClientTestOptions.For(server.Port, SmtpTlsMode.StartTlsRequired);

        var e = Assert.ThrowsAsync<SmtpSecurityException>(() => SmtpClient.ConnectAsync(options));
        Assert.That(e!.Message, Does.Contain("before the TLS handshake"));
        await server.CompleteAsync();
        Assert.That(server.Sessions.Single().Commands, Is.EqualTo(new[] { "EHLO client.test", "STARTTLS" }));
    }

    [Test]
    public async Task Plain_text_sent_late_after_the_220_to_STARTTLS_breaks_the_handshake_instead_of_being_read_as_a_reply()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 scripted.test ESMTP\r\n");
            await s.ExpectAsync("EHLO");
            await s.SendEhloAsync("STARTTLS");
            await s.ExpectAsync("STARTTLS");
            await s.SendAsync("220 2.0.0 Ready\r\n");
            await Task.Delay(200);
            await s.SendAsync("250-injected.test\r\n250 AUTH PLAIN\r\n");
            await s.ClientSendsMoreAsync(TimeSpan.FromSeconds(2));
        });
        var options = ClientTestOptions.For(server.Port, SmtpTlsMode.StartTlsRequired);

        Assert.ThrowsAsync<SmtpSecurityException>(() => SmtpClient.ConnectAsync(options));
        await server.CompleteAsync();
    }

    [Test]
    public async Task After_STARTTLS_the_client_says_EHLO_again_and_uses_only_the_capabilities_given_over_TLS()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 scripted.test ESMTP\r\n");
            await s.ExpectAsync("EHLO");
            await s.SendEhloAsync("STARTTLS", "CHUNKING", "SIZE 1000");
            await s.ExpectAsync("STARTTLS");
            await s.SendAsync("220 2.0.0 Ready\r\n");
            await s.UpgradeToTlsAsync();
            await s.ExpectAsync("EHLO client.test");
            await s.SendEhloAsync("PIPELINING", "SIZE 20");
            await s.ExpectAsync("QUIT");
            await s.SendAsync("221 bye\r\n");
        });
        var options = ClientTestOptions.For(server.Port, SmtpTlsMode.StartTlsRequired);

        await using var client = await SmtpClient.ConnectAsync(options);
        Assert.That(client.IsSecure, Is.True);
        Assert.That(client.Capabilities.StartTls, Is.False);
        Assert.That(client.Capabilities.Chunking, Is.False);
        Assert.That(client.Capabilities.Pipelining, Is.True);
        Assert.That(client.Capabilities.MaxSize, Is.EqualTo(20));
        await client.QuitAsync();
        await server.CompleteAsync();
    }

    [Test]
    public async Task A_self_signed_certificate_is_refused_by_default_validation()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 scripted.test ESMTP\r\n");
            await s.ExpectAsync("EHLO");
            await s.SendEhloAsync("STARTTLS");
            await s.ExpectAsync("STARTTLS");
            await s.SendAsync("220 2.0.0 Ready\r\n");
            try
            {
                await s.UpgradeToTlsAsync();
            }
            catch (System.Security.Authentication.AuthenticationException)
            {
                // The client aborted the handshake, as it must.
            }
        });
        var options = ClientTestOptions.For(server.Port, SmtpTlsMode.StartTlsRequired, acceptTestCertificate: false);

        var e = Assert.ThrowsAsync<SmtpSecurityException>(() => SmtpClient.ConnectAsync(options));
        Assert.That(e!.InnerException, Is.InstanceOf<System.Security.Authentication.AuthenticationException>());
        await server.CompleteAsync();
    }

    [Test]
    public async Task Implicit_TLS_secures_the_connection_before_the_greeting()
    {
        await using var server = new ScriptedServer(async s =>
        {
            Assert.That(s.IsSecure, Is.True);
            await s.SendAsync("220 scripted.test ESMTP\r\n");
            await s.ExpectAsync("EHLO");
            await s.SendEhloAsync("8BITMIME");
            await s.ExpectAsync("QUIT");
            await s.SendAsync("221 bye\r\n");
        }, implicitTls: true);
        var options = ClientTestOptions.For(server.Port, SmtpTlsMode.ImplicitTls);

        await using var client = await SmtpClient.ConnectAsync(options);
        Assert.That(client.IsSecure, Is.True);
        Assert.That(client.Capabilities.EightBitMime, Is.True);
        await client.QuitAsync();
        await server.CompleteAsync();
    }

    [Test]
    public async Task StartTlsWhenOffered_uses_plain_text_when_the_server_does_not_offer_it()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 scripted.test ESMTP\r\n");
            await s.ExpectAsync("EHLO");
            await s.SendEhloAsync("8BITMIME");
            await s.ExpectAsync("QUIT");
            await s.SendAsync("221 bye\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port, SmtpTlsMode.StartTlsWhenOffered));
        Assert.That(client.IsSecure, Is.False);
        await client.QuitAsync();
        await server.CompleteAsync();
    }
}
