using System.Text;
using Smtp.Core.Auth;
using Smtp.Core.Client;
using Smtp.Core.Protocol;

namespace Smtp.Core.Tests.Client;

/// <summary>The client against Python's aiosmtpd (Debian python3-aiosmtpd), which stores each message so bytes can be compared.</summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class AiosmtpdInteropTests
{
    [Test]
    public async Task The_message_arrives_byte_for_byte_after_dot_stuffing_and_unstuffing()
    {
        byte[] message = Encoding.ASCII.GetBytes(
            "From: a@example.org\r\nSubject: dots\r\n\r\n.\r\n..\r\n.leading\r\nmiddle . dot\r\n\r\n.\r\nend\r\n");
        await using var server = await ExternalServer.StartAiosmtpdAsync();
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var result = await client.SendAsync(new SmtpSendEnvelope("a@example.org", "b@example.org"), SmtpMessageContent.FromStream(new MemoryStream(message)));
        Assert.That(result.AllAccepted, Is.True);
        Assert.That(await server.ReadMessageAsync(1), Is.EqualTo(message));
    }

    [Test]
    public async Task A_message_without_a_final_line_break_is_terminated_correctly()
    {
        byte[] message = Encoding.ASCII.GetBytes("Subject: no crlf\r\n\r\nlast line without line break");
        await using var server = await ExternalServer.StartAiosmtpdAsync();
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var result = await client.SendAsync(new SmtpSendEnvelope("a@example.org", "b@example.org"), SmtpMessageContent.FromBytes(message));
        Assert.That(result.AllAccepted, Is.True);
        Assert.That(await server.ReadMessageAsync(1), Is.EqualTo(message.Concat("\r\n"u8.ToArray()).ToArray()));
    }

    [Test]
    public async Task A_refused_recipient_does_not_stop_delivery_to_the_others()
    {
        await using var server = await ExternalServer.StartAiosmtpdAsync("--reject-rcpt", "b@example.org");
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var result = await client.SendAsync(new SmtpSendEnvelope("a@example.org", "a@example.org", "b@example.org", "c@example.org"), ClientTestOptions.Message("Subject: x\r\n\r\nx\r\n"));
        Assert.That(result.Recipients.Select(r => r.Accepted), Is.EqualTo(new[] { true, false, true }));
        Assert.That(result.Recipients[1].RcptReply.Code, Is.EqualTo(550));
        await server.ReadMessageAsync(1);
        Assert.That(await server.ReadEnvelopeAsync(1), Does.Contain("\"to\": [\"a@example.org\", \"c@example.org\"]"));
    }

    [Test]
    public async Task SMTPUTF8_addresses_are_delivered_when_aiosmtpd_offers_SMTPUTF8()
    {
        await using var server = await ExternalServer.StartAiosmtpdAsync("--smtputf8");
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        Assert.That(client.Capabilities.SmtpUtf8, Is.True);
        var result = await client.SendAsync(
            new SmtpSendEnvelope("jörg@bücher.example", "δοκιμή@παράδειγμα.δοκιμή") { BodyType = SmtpBodyType.EightBitMime },
            ClientTestOptions.Message("Subject: ünïcödé\r\n\r\nκείμενο\r\n"));
        Assert.That(result.AllAccepted, Is.True);
        byte[] stored = await server.ReadMessageAsync(1);
        Assert.That(Encoding.UTF8.GetString(stored), Is.EqualTo("Subject: ünïcödé\r\n\r\nκείμενο\r\n"));
        string envelope = await server.ReadEnvelopeAsync(1);
        Assert.That(envelope, Does.Contain("SMTPUTF8").And.Contain("BODY=8BITMIME"));
    }

    [Test]
    public async Task SMTPUTF8_is_refused_before_sending_when_aiosmtpd_does_not_offer_it()
    {
        await using var server = await ExternalServer.StartAiosmtpdAsync();
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        Assert.ThrowsAsync<SmtpCapabilityException>(() =>
            client.SendAsync(new SmtpSendEnvelope("jörg@example.org", "b@example.org"), ClientTestOptions.Message("x")));
        Assert.That(await client.CheckHealthAsync(), Is.True);
        Assert.That(Directory.GetFiles(server.OutputDirectory), Is.Empty);
    }

    [Test]
    public async Task A_message_over_aiosmtpd_SIZE_is_refused_before_sending()
    {
        await using var server = await ExternalServer.StartAiosmtpdAsync("--size", "1000");
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        Assert.That(client.Capabilities.MaxSize, Is.EqualTo(1000));
        var e = Assert.ThrowsAsync<SmtpCapabilityException>(() =>
            client.SendAsync(new SmtpSendEnvelope("a@example.org", "b@example.org"), ClientTestOptions.Message(new string('x', 2000))));
        Assert.That(e!.Extension, Is.EqualTo("SIZE"));

        // A message within the limit goes through on the same connection, declaring its SIZE.
        var ok = await client.SendAsync(new SmtpSendEnvelope("a@example.org", "b@example.org"), ClientTestOptions.Message("Subject: small\r\n\r\nsmall\r\n"));
        Assert.That(ok.AllAccepted, Is.True);
        await server.ReadMessageAsync(1);
        Assert.That(await server.ReadEnvelopeAsync(1), Does.Contain("SIZE="));
    }

    [TestCase("PLAIN")]
    [TestCase("LOGIN")]
    [TestCase(null)]
    public async Task STARTTLS_then_AUTH_then_send_to_aiosmtpd(string? mechanism)
    {
        var (cert, key) = TestCertificate.PemFiles;
        await using var server = await ExternalServer.StartAiosmtpdAsync("--tls", cert, key, "--auth", "alice:pa55word");
        var options = ClientTestOptions.For(server.Port, SmtpTlsMode.StartTlsRequired,
            credentials: SaslClientCredentials.FromPassword("alice", "pa55word"), mechanism: mechanism);
        await using var client = await SmtpClient.ConnectAsync(options);
        Assert.That(client.IsSecure, Is.True);
        Assert.That(client.AuthenticationMechanism, Is.EqualTo(mechanism ?? "PLAIN"));
        var result = await client.SendAsync(new SmtpSendEnvelope("alice@example.org", "b@example.org"), ClientTestOptions.Message("Subject: tls\r\n\r\nsecret body\r\n"));
        Assert.That(result.AllAccepted, Is.True);
        await server.ReadMessageAsync(1);
        Assert.That(await server.ReadEnvelopeAsync(1), Does.Contain("\"secure\": true"));
    }

    [Test]
    public async Task A_wrong_password_is_refused_by_aiosmtpd_with_535()
    {
        var (cert, key) = TestCertificate.PemFiles;
        await using var server = await ExternalServer.StartAiosmtpdAsync("--tls", cert, key, "--auth", "alice:pa55word");
        var options = ClientTestOptions.For(server.Port, SmtpTlsMode.StartTlsRequired, credentials: SaslClientCredentials.FromPassword("alice", "wrong"));
        var e = Assert.ThrowsAsync<SmtpCommandException>(() => SmtpClient.ConnectAsync(options));
        Assert.That(e!.Reply.Code, Is.EqualTo(535));
    }
}
