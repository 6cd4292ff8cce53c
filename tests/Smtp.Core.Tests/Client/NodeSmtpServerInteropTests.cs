using System.Text;
using Smtp.Core.Auth;
using Smtp.Core.Client;

namespace Smtp.Core.Tests.Client;

/// <summary>The client against Nodemailer's smtp-server (npm, pinned in tests/Smtp.Core.Tests/Client/node).</summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class NodeSmtpServerInteropTests
{
    [TestCase("PLAIN")]
    [TestCase("LOGIN")]
    [TestCase("CRAM-MD5")]
    public async Task STARTTLS_then_AUTH_with_a_password_mechanism_then_send(string mechanism)
    {
        var (cert, key) = TestCertificate.PemFiles;
        await using var server = await ExternalServer.StartNodeSmtpServerAsync("--tls", cert, key, "--auth", "alice:pa55word");
        var options = ClientTestOptions.For(server.Port, SmtpTlsMode.StartTlsRequired,
            credentials: SaslClientCredentials.FromPassword("alice", "pa55word"), mechanism: mechanism);
        await using var client = await SmtpClient.ConnectAsync(options);
        Assert.That(client.IsSecure, Is.True);
        Assert.That(client.AuthenticationMechanism, Is.EqualTo(mechanism));
        byte[] message = Encoding.ASCII.GetBytes("Subject: node\r\n\r\n.dot\r\nbody\r\n");
        var result = await client.SendAsync(new SmtpSendEnvelope("alice@example.org", "b@example.org"), SmtpMessageContent.FromBytes(message));
        Assert.That(result.AllAccepted, Is.True, string.Join("; ", result.Recipients));
        Assert.That(await server.ReadMessageAsync(1), Is.EqualTo(message));
        string envelope = await server.ReadEnvelopeAsync(1);
        Assert.That(envelope, Does.Contain("\"user\":\"alice\"").And.Contain("\"secure\":true"));
    }

    [Test]
    public async Task Without_a_chosen_mechanism_the_strongest_offered_is_used()
    {
        var (cert, key) = TestCertificate.PemFiles;
        await using var server = await ExternalServer.StartNodeSmtpServerAsync("--tls", cert, key, "--auth", "alice:pa55word");
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port, SmtpTlsMode.StartTlsRequired,
            credentials: SaslClientCredentials.FromPassword("alice", "pa55word")));
        Assert.That(client.Capabilities.AuthMechanisms, Does.Contain("PLAIN").And.Contain("CRAM-MD5"));
        Assert.That(client.AuthenticationMechanism, Is.EqualTo("CRAM-MD5"));
    }

    [Test]
    public async Task XOAUTH2_with_an_access_token()
    {
        var (cert, key) = TestCertificate.PemFiles;
        await using var server = await ExternalServer.StartNodeSmtpServerAsync("--tls", cert, key, "--auth", "alice:token-123");
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port, SmtpTlsMode.StartTlsRequired,
            credentials: SaslClientCredentials.FromAccessToken("alice", "token-123")));
        Assert.That(client.AuthenticationMechanism, Is.EqualTo("XOAUTH2"));
        var result = await client.SendAsync(new SmtpSendEnvelope("alice@example.org", "b@example.org"), ClientTestOptions.Message("x\r\n"));
        Assert.That(result.AllAccepted, Is.True);
    }

    [Test]
    public async Task A_wrong_password_is_refused_with_535()
    {
        var (cert, key) = TestCertificate.PemFiles;
        await using var server = await ExternalServer.StartNodeSmtpServerAsync("--tls", cert, key, "--auth", "alice:pa55word");
        var e = Assert.ThrowsAsync<SmtpCommandException>(() => SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port, SmtpTlsMode.StartTlsRequired,
            credentials: SaslClientCredentials.FromPassword("alice", "nope"), mechanism: "PLAIN")));
        Assert.That(e!.Reply.Code, Is.EqualTo(535));
    }

    [Test]
    public async Task Pipelined_recipients_with_one_refused_and_the_others_delivered()
    {
        await using var server = await ExternalServer.StartNodeSmtpServerAsync("--reject-rcpt", "nobody@example.org");
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        Assert.That(client.Capabilities.Pipelining, Is.True);
        var result = await client.SendAsync(
            new SmtpSendEnvelope("a@example.org", "one@example.org", "nobody@example.org", "two@example.org"),
            ClientTestOptions.Message("Subject: p\r\n\r\np\r\n"));
        Assert.That(result.Recipients.Select(r => r.Accepted), Is.EqualTo(new[] { true, false, true }));
        await server.ReadMessageAsync(1);
        string envelope = await server.ReadEnvelopeAsync(1);
        Assert.That(envelope, Does.Contain("one@example.org").And.Contain("two@example.org").And.Not.Contain("nobody@"));
    }

    [Test]
    public async Task SIZE_advertised_by_smtp_server_is_checked_before_sending()
    {
        await using var server = await ExternalServer.StartNodeSmtpServerAsync("--size", "500");
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        Assert.That(client.Capabilities.MaxSize, Is.EqualTo(500));
        Assert.ThrowsAsync<SmtpCapabilityException>(() =>
            client.SendAsync(new SmtpSendEnvelope("a@example.org", "b@example.org"), ClientTestOptions.Message(new string('y', 501))));
        Assert.That(await client.CheckHealthAsync(), Is.True);
    }

    [Test]
    public async Task SMTPUTF8_envelope_to_smtp_server()
    {
        await using var server = await ExternalServer.StartNodeSmtpServerAsync();
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var result = await client.SendAsync(new SmtpSendEnvelope("jörg@example.org", "zoë@example.org"), ClientTestOptions.Message("Subject: ü\r\n\r\nü\r\n"));
        Assert.That(result.AllAccepted, Is.True);
        await server.ReadMessageAsync(1);
        string envelope = await server.ReadEnvelopeAsync(1);
        Assert.That(envelope, Does.Contain("zoë@example.org").And.Contain("\"SMTPUTF8\":true"));
    }

    [Test]
    public async Task Implicit_TLS_then_AUTH_then_send()
    {
        var (cert, key) = TestCertificate.PemFiles;
        await using var server = await ExternalServer.StartNodeSmtpServerAsync("--tls", cert, key, "--implicit", "--auth", "alice:pa55word");
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port, SmtpTlsMode.ImplicitTls,
            credentials: SaslClientCredentials.FromPassword("alice", "pa55word")));
        Assert.That(client.IsSecure, Is.True);
        Assert.That(client.Capabilities.StartTls, Is.False);
        var result = await client.SendAsync(new SmtpSendEnvelope("alice@example.org", "b@example.org"), ClientTestOptions.Message("Subject: 465\r\n\r\nx\r\n"));
        Assert.That(result.AllAccepted, Is.True);
        await server.ReadMessageAsync(1);
        Assert.That(await server.ReadEnvelopeAsync(1), Does.Contain("\"secure\":true"));
    }

    [Test]
    public async Task A_self_signed_certificate_is_refused_by_default_validation()
    {
        var (cert, key) = TestCertificate.PemFiles;
        await using var server = await ExternalServer.StartNodeSmtpServerAsync("--tls", cert, key);
        var options = ClientTestOptions.For(server.Port, SmtpTlsMode.StartTlsRequired, acceptTestCertificate: false);
        var e = Assert.ThrowsAsync<SmtpSecurityException>(() => SmtpClient.ConnectAsync(options));
        Assert.That(e!.InnerException, Is.InstanceOf<System.Security.Authentication.AuthenticationException>());
    }
}
