using System.Text;
using Smtp.Core.Auth;
using Smtp.Core.Client;

namespace Smtp.Core.Tests.Client;

/// <summary>
/// SCRAM-SHA-256 end to end: no real server available here offers it, so a scripted server drives the auth-sasl
/// branch's server exchange.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ClientScramTests
{
    private static async Task<string> ScramServerAsync(ScriptedSession s, string password, bool skipServerFinal = false)
    {
        await s.SendAsync("220 scripted.test ESMTP\r\n");
        await s.ExpectAsync("EHLO");
        await s.SendEhloAsync("AUTH PLAIN LOGIN SCRAM-SHA-256 CRAM-MD5");
        string auth = await s.ExpectAsync("AUTH SCRAM-SHA-256 ");
        var exchange = SaslMechanisms.ScramSha256.CreateExchange("scripted.test");
        var step = exchange.Respond(Convert.FromBase64String(auth["AUTH SCRAM-SHA-256 ".Length..]));
        int challenges = 0;
        while (true)
        {
            switch (step.Kind)
            {
                case SaslStepKind.NeedCredentials:
                    step = exchange.SupplyCredentials(ScramCredentials.FromPassword(password));
                    break;
                case SaslStepKind.Challenge:
                    if (skipServerFinal && ++challenges == 2)
                    {
                        // A server that never proves it knows the password, yet claims success.
                        await s.SendAsync("235 2.7.0 Trust me\r\n");
                        return (await s.ReadLineAsync()) ?? "<closed>";
                    }

                    await s.SendAsync($"334 {Convert.ToBase64String(step.Challenge.Span)}\r\n");
                    string? line = await s.ReadLineAsync();
                    step = exchange.Respond(Convert.FromBase64String(line!));
                    break;
                case SaslStepKind.Completed:
                    await s.SendAsync("235 2.7.0 Authentication successful\r\n");
                    return (await s.ReadLineAsync()) ?? "<closed>";
                default:
                    await s.SendAsync("535 5.7.8 Authentication credentials invalid\r\n");
                    return (await s.ReadLineAsync()) ?? "<closed>";
            }
        }
    }

    private static SmtpClientOptions Options(int port, string password, ListLogger? logger = null) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        TlsMode = SmtpTlsMode.None,
        ClientName = "client.test",
        Credentials = SaslClientCredentials.FromPassword("alice", password),
        CommandTimeout = TimeSpan.FromSeconds(10),
        Logger = logger,
    };

    [Test]
    public async Task SCRAM_SHA_256_is_the_strongest_offered_and_works_without_TLS_since_no_secret_crosses_the_wire()
    {
        string after = "";
        await using var server = new ScriptedServer(async s => after = await ScramServerAsync(s, "correct horse"));
        var logger = new ListLogger();
        await using (var client = await SmtpClient.ConnectAsync(Options(server.Port, "correct horse", logger)))
        {
            Assert.That(client.AuthenticationMechanism, Is.EqualTo("SCRAM-SHA-256"));
            await client.QuitAsync();
        }

        await server.CompleteAsync();
        Assert.That(after, Is.EqualTo("QUIT"));
        Assert.That(logger.All, Does.Not.Contain("correct horse").And.Not.Contain("c=biws"));
    }

    [Test]
    public async Task A_wrong_SCRAM_password_is_refused_with_535()
    {
        await using var server = new ScriptedServer(async s => await ScramServerAsync(s, "correct horse"));
        var e = Assert.ThrowsAsync<SmtpCommandException>(() => SmtpClient.ConnectAsync(Options(server.Port, "battery staple")));
        Assert.That(e!.Reply.Code, Is.EqualTo(535));
        await server.CompleteAsync();
    }

    [Test]
    public async Task A_server_that_claims_success_without_its_SCRAM_proof_is_not_trusted()
    {
        await using var server = new ScriptedServer(async s => await ScramServerAsync(s, "correct horse", skipServerFinal: true));
        var e = Assert.ThrowsAsync<SmtpSecurityException>(() => SmtpClient.ConnectAsync(Options(server.Port, "correct horse")));
        Assert.That(e!.Message, Does.Contain("without proving"));
        await server.CompleteAsync();
    }
}
