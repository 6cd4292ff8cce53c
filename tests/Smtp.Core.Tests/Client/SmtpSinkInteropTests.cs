using System.Text;
using Smtp.Core.Client;

namespace Smtp.Core.Tests.Client;

/// <summary>The client against Postfix's smtp-sink, a real server this project did not write.</summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class SmtpSinkInteropTests
{
    private static readonly byte[] Message = Encoding.ASCII.GetBytes(
        "From: a@example.org\r\nTo: b@example.org\r\nSubject: sink\r\n\r\n.leading dot\r\n.\r\nlast line\r\n");

    [Test]
    public async Task Sends_a_file_with_pipelined_MAIL_and_RCPTs_and_every_recipient_accepted()
    {
        await using var sink = await ExternalServer.StartSmtpSinkAsync();
        string file = Path.Combine(sink.OutputDirectory, "message.eml");
        await File.WriteAllBytesAsync(file, Message);

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(sink.Port));
        Assert.That(client.Capabilities.Pipelining, Is.True);
        var result = await client.SendAsync(new SmtpSendEnvelope("a@example.org", "b@example.org", "c@example.org", "d@example.org"), SmtpMessageContent.FromFile(file));
        Assert.That(result.AllAccepted, Is.True, string.Join("; ", result.Recipients));
        Assert.That(result.DataReply?.Code, Is.EqualTo(250));

        // The same connection carries a second message.
        var again = await client.SendAsync(new SmtpSendEnvelope("", "b@example.org"), SmtpMessageContent.FromFile(file));
        Assert.That(again.AllAccepted, Is.True);
        Assert.That(await client.CheckHealthAsync(), Is.True);
        await client.QuitAsync();
    }

    [Test]
    public async Task Every_recipient_refused_by_smtp_sink_means_no_DATA_and_a_reset()
    {
        await using var sink = await ExternalServer.StartSmtpSinkAsync("-f", "rcpt");
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(sink.Port));
        var result = await client.SendAsync(new SmtpSendEnvelope("a@example.org", "b@example.org", "c@example.org"), SmtpMessageContent.FromBytes(Message));
        Assert.That(result.DataReply, Is.Null);
        Assert.That(result.Recipients.Select(r => r.RcptReply.IsPermanentFailure), Is.All.True);
        Assert.That(client.IsConnected, Is.True);
        Assert.That(await client.CheckHealthAsync(), Is.True);
    }

    [Test]
    public async Task smtp_sink_hanging_up_after_the_final_dot_is_a_protocol_failure_not_a_success()
    {
        await using var sink = await ExternalServer.StartSmtpSinkAsync("-q", ".");
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(sink.Port));
        Assert.ThrowsAsync<SmtpProtocolException>(() =>
            client.SendAsync(new SmtpSendEnvelope("a@example.org", "b@example.org"), SmtpMessageContent.FromBytes(Message)));
        Assert.That(client.IsConnected, Is.False);
    }

    [Test]
    public async Task smtp_sink_sending_421_after_RCPT_is_a_protocol_failure()
    {
        await using var sink = await ExternalServer.StartSmtpSinkAsync("-Q", "rcpt");
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(sink.Port));
        var e = Assert.ThrowsAsync<SmtpProtocolException>(() =>
            client.SendAsync(new SmtpSendEnvelope("a@example.org", "b@example.org"), SmtpMessageContent.FromBytes(Message)));
        Assert.That(e!.Reply?.Code, Is.EqualTo(421));
    }

    [Test]
    public async Task LMTP_against_smtp_sink_gives_one_reply_per_recipient()
    {
        await using var sink = await ExternalServer.StartSmtpSinkAsync("-L");
        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(sink.Port, lmtp: true));
        var result = await client.SendAsync(new SmtpSendEnvelope("a@example.org", "b@example.org", "c@example.org", "d@example.org"), SmtpMessageContent.FromBytes(Message));
        Assert.That(result.Recipients.Select(r => r.DeliveryReply?.Code), Is.EqualTo(new int?[] { 250, 250, 250 }));

        // Nothing is left unread: the connection still answers NOOP in step.
        Assert.That(await client.CheckHealthAsync(), Is.True);
    }

    [Test]
    public async Task StartTlsRequired_against_smtp_sink_without_STARTTLS_fails_before_any_envelope()
    {
        await using var sink = await ExternalServer.StartSmtpSinkAsync();
        Assert.ThrowsAsync<SmtpSecurityException>(() => SmtpClient.ConnectAsync(ClientTestOptions.For(sink.Port, SmtpTlsMode.StartTlsRequired)));
    }

    [Test]
    public async Task A_pool_sends_concurrently_over_at_most_its_maximum_connections()
    {
        await using var sink = await ExternalServer.StartSmtpSinkAsync();
        await using var pool = new SmtpClientPool(ClientTestOptions.For(sink.Port), maxConnections: 3);
        var content = SmtpMessageContent.FromBytes(Message);
        var sends = Enumerable.Range(0, 40).Select(i => pool.SendAsync(new SmtpSendEnvelope("a@example.org", $"r{i}@example.org"), content)).ToArray();
        var results = await Task.WhenAll(sends);
        Assert.That(results.All(r => r.AllAccepted), Is.True);
        Assert.That(pool.IdleCount, Is.InRange(1, 3));
    }
}
