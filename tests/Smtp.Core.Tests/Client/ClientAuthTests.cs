using System.Text;
using Smtp.Core.Auth;
using Smtp.Core.Client;

namespace Smtp.Core.Tests.Client;

[TestFixture]
[CancelAfter(60_000)]
public sealed class ClientAuthTests
{
    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Test]
    public async Task LOGIN_runs_over_334_challenges_and_the_transcript_never_shows_the_secrets()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 scripted.test ESMTP\r\n");
            await s.ExpectAsync("EHLO");
            await s.SendEhloAsync("AUTH LOGIN");
            await s.ExpectAsync("AUTH LOGIN");
            await s.SendAsync($"334 {B64("Username:")}\r\n");
            Assert.That(await s.ReadLineAsync(), Is.EqualTo(B64("alice")));
            await s.SendAsync($"334 {B64("Password:")}\r\n");
            Assert.That(await s.ReadLineAsync(), Is.EqualTo(B64("s3cret-pw")));
            await s.SendAsync("235 2.7.0 Authentication successful\r\n");
            await s.ExpectAsync("QUIT");
            await s.SendAsync("221 bye\r\n");
        });
        var logger = new ListLogger();
        var options = new SmtpClientOptions
        {
            Host = "127.0.0.1",
            Port = server.Port,
            TlsMode = SmtpTlsMode.None,
            ClientName = "client.test",
            Credentials = SaslClientCredentials.FromPassword("alice", "s3cret-pw"),
            AllowAuthWithoutTls = true,
            Logger = logger,
        };

        await using var client = await SmtpClient.ConnectAsync(options);
        Assert.That(client.AuthenticationMechanism, Is.EqualTo("LOGIN"));
        await client.QuitAsync();
        await server.CompleteAsync();
        Assert.That(logger.All, Does.Contain("C: AUTH LOGIN"));
        Assert.That(logger.All, Does.Not.Contain(B64("alice")).And.Not.Contain(B64("s3cret-pw")).And.Not.Contain("s3cret-pw"));
    }

    [Test]
    public async Task Credentials_are_never_sent_in_clear_text_unless_allowed()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 scripted.test ESMTP\r\n");
            await s.ExpectAsync("EHLO");
            await s.SendEhloAsync("AUTH PLAIN LOGIN");
            if (await s.ReadLineAsync() is not null)
            {
                await s.SendAsync("221 bye\r\n");
            }
        });
        var options = ClientTestOptions.For(server.Port, credentials: SaslClientCredentials.FromPassword("alice", "s3cret-pw"));

        Assert.ThrowsAsync<SmtpSecurityException>(() => SmtpClient.ConnectAsync(options));
        await server.CompleteAsync();
        Assert.That(Encoding.ASCII.GetString(server.Sessions.Single().Received), Does.Not.Contain("AUTH"));
    }

    [Test]
    public async Task A_refused_AUTH_is_a_command_exception_carrying_the_535()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 scripted.test ESMTP\r\n");
            await s.ExpectAsync("EHLO");
            await s.SendEhloAsync("STARTTLS", "AUTH PLAIN");
            await s.ExpectAsync("STARTTLS");
            await s.SendAsync("220 go\r\n");
            await s.UpgradeToTlsAsync();
            await s.ExpectAsync("EHLO");
            await s.SendEhloAsync("AUTH PLAIN");
            await s.ExpectAsync("AUTH PLAIN ");
            await s.SendAsync("535 5.7.8 Authentication credentials invalid\r\n");
            await s.ClientSendsMoreAsync(TimeSpan.FromSeconds(1));
        });
        var logger = new ListLogger();
        var options = ClientTestOptions.For(server.Port, SmtpTlsMode.StartTlsRequired, credentials: SaslClientCredentials.FromPassword("alice", "wrong"), logger: logger);

        var e = Assert.ThrowsAsync<SmtpCommandException>(() => SmtpClient.ConnectAsync(options));
        Assert.That(e!.Reply.Code, Is.EqualTo(535));
        await server.CompleteAsync();
        Assert.That(logger.All, Does.Contain("C: AUTH PLAIN <redacted>").And.Contain("S: 535"));
        Assert.That(logger.All, Does.Not.Contain(B64("\0alice\0wrong")).And.Not.Contain("wrong"));
    }
}
