using System.Text;
using Smtp.Core.Client;

namespace Smtp.Core.Tests.Client;

[TestFixture]
[CancelAfter(60_000)]
public sealed class ClientFailureTests
{
    private static async Task GreetAsync(ScriptedSession s, params string[] keywords)
    {
        await s.SendAsync("220 scripted.test ESMTP\r\n");
        await s.ExpectAsync("EHLO client.test");
        await s.SendEhloAsync(keywords);
    }

    private static SmtpSendEnvelope Envelope => new("s@example.org", "a@example.org", "b@example.org");

    [Test]
    public async Task A_421_in_the_middle_of_a_transaction_is_a_protocol_failure_and_the_connection_is_dropped()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING");
            await s.ExpectAsync("MAIL");
            await s.ExpectAsync("RCPT");
            await s.ExpectAsync("RCPT");
            await s.SendAsync("250 Ok\r\n421 4.3.2 Shutting down\r\n");
            s.Close();
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var e = Assert.ThrowsAsync<SmtpProtocolException>(() => client.SendAsync(Envelope, ClientTestOptions.Message("x")));
        Assert.That(e!.Reply?.Code, Is.EqualTo(421));
        Assert.That(client.IsConnected, Is.False);
        Assert.ThrowsAsync<SmtpProtocolException>(() => client.SendAsync(Envelope, ClientTestOptions.Message("x")));
        await server.CompleteAsync();
    }

    [Test]
    public async Task A_reply_line_that_never_ends_is_cut_off_at_the_line_cap()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 scripted.test ESMTP\r\n");
            await s.ExpectAsync("EHLO");
            await s.SendAsync("250-" + new string('A', 64 * 1024));
            await s.ClientSendsMoreAsync(TimeSpan.FromSeconds(2));
        });

        var e = Assert.ThrowsAsync<SmtpProtocolException>(() => SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port)));
        Assert.That(e!.Message, Does.Contain("longer than"));
        await server.CompleteAsync();
    }

    [Test]
    public async Task A_multi_line_reply_that_never_ends_is_cut_off_at_the_line_count_cap()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 scripted.test ESMTP\r\n");
            await s.ExpectAsync("EHLO");
            for (int i = 0; i < 1000; i++)
            {
                await s.SendAsync("250-X-FILLER\r\n");
            }

            await s.ClientSendsMoreAsync(TimeSpan.FromSeconds(2));
        });

        var e = Assert.ThrowsAsync<SmtpProtocolException>(() => SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port)));
        Assert.That(e!.Message, Does.Contain("lines"));
        await server.CompleteAsync();
    }

    [Test]
    public async Task A_reply_that_stops_half_way_times_out_as_a_protocol_failure()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 scripted.test ESMTP\r\n");
            await s.ExpectAsync("EHLO");
            await s.SendAsync("250-scripted.test\r\n250-PIPE");
            await s.ClientSendsMoreAsync(TimeSpan.FromSeconds(3));
        });

        var started = DateTime.UtcNow;
        var e = Assert.ThrowsAsync<SmtpProtocolException>(() =>
            SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port, commandTimeout: TimeSpan.FromMilliseconds(500))));
        Assert.That(e!.InnerException, Is.InstanceOf<TimeoutException>());
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(5)));
        await server.CompleteAsync();
    }

    [Test]
    public async Task A_server_that_closes_after_the_final_dot_without_replying_is_never_taken_for_success()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING");
            await s.ExpectAsync("MAIL");
            await s.ExpectAsync("RCPT");
            await s.ExpectAsync("RCPT");
            await s.SendAsync("250 Ok\r\n250 Ok\r\n250 Ok\r\n");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 Go\r\n");
            await s.ReadDataAsync();
            s.Close();
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var e = Assert.ThrowsAsync<SmtpProtocolException>(() => client.SendAsync(Envelope, ClientTestOptions.Message("Subject: x\r\n\r\nbody\r\n")));
        Assert.That(e!.Message, Does.Contain("closed"));
        Assert.That(client.IsConnected, Is.False);
        await server.CompleteAsync();
    }

    [Test]
    public async Task A_greeting_other_than_220_refuses_the_connection()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("554 5.3.2 No service for you\r\n");
            if (await s.ReadLineAsync() is "QUIT")
            {
                await s.SendAsync("221 bye\r\n");
            }
        });

        var e = Assert.ThrowsAsync<SmtpProtocolException>(() => SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port)));
        Assert.That(e!.Reply?.Code, Is.EqualTo(554));
        await server.CompleteAsync();
        Assert.That(server.Sessions.Single().Commands, Is.EqualTo(new[] { "QUIT" }));
    }

    [Test]
    public async Task Cancelling_a_send_throws_OperationCanceledException_and_drops_the_connection()
    {
        var releaseServer = new TaskCompletionSource();
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING");
            await s.ExpectAsync("MAIL");
            await releaseServer.Task.WaitAsync(TimeSpan.FromSeconds(20));
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Assert.CatchAsync<OperationCanceledException>(() => client.SendAsync(Envelope, ClientTestOptions.Message("x"), cts.Token));
        Assert.That(client.IsConnected, Is.False);
        releaseServer.SetResult();
        await server.CompleteAsync();
    }

    [TestCase("250 2.0.0 Ok", true, true)]
    [TestCase("421 4.4.2 Idle too long", false, false)]
    [TestCase("221 2.0.0 Bye", false, false)]
    [TestCase("252 2.0.0 Odd but positive", false, true)]
    public async Task Health_check_needs_exactly_250_to_NOOP_and_421_or_221_closes_the_connection(string noopReply, bool healthy, bool stillConnected)
    {
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING");
            await s.ExpectAsync("NOOP");
            await s.SendAsync(noopReply + "\r\n");
            await s.ClientSendsMoreAsync(TimeSpan.FromSeconds(1));
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        Assert.That(await client.CheckHealthAsync(), Is.EqualTo(healthy));
        Assert.That(client.IsConnected, Is.EqualTo(stillConnected));
        await server.CompleteAsync();
    }

    [Test]
    public async Task A_client_runs_one_operation_at_a_time()
    {
        var release = new TaskCompletionSource();
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s);
            await s.ExpectAsync("NOOP");
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await s.SendAsync("250 Ok\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var first = client.NoopAsync();
        Assert.ThrowsAsync<InvalidOperationException>(() => client.NoopAsync());
        release.SetResult();
        Assert.That((await first).Code, Is.EqualTo(250));
        await server.CompleteAsync();
    }

    [Test]
    public async Task An_extra_reply_the_server_slips_in_is_detected_before_it_can_answer_the_next_command()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING");
            await s.ExpectAsync("NOOP");

            // One reply too many: it would be taken as the answer to MAIL and shift every later reply.
            await s.SendAsync("250 Ok\r\n250 2.1.0 Sender ok (forged)\r\n");
            await s.ClientSendsMoreAsync(TimeSpan.FromSeconds(2));
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        Assert.That((await client.NoopAsync()).Code, Is.EqualTo(250));
        await Task.Delay(200);
        var e = Assert.ThrowsAsync<SmtpProtocolException>(() => client.SendAsync(Envelope, ClientTestOptions.Message("x")));
        Assert.That(e!.Message, Does.Contain("answer no command"));
        await server.CompleteAsync();
        Assert.That(server.Sessions.Single().Commands, Has.None.StartsWith("MAIL"));
    }
}
