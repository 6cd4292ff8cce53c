using Smtp.Core.Client;

namespace Smtp.Core.Tests.Client;

[TestFixture]
[CancelAfter(60_000)]
public sealed class ClientPoolTests
{
    /// <summary>A well-behaved server: any number of messages per connection, NOOP answered with the given reply.</summary>
    private static async Task ServeAsync(ScriptedSession s, string noopReply = "250 2.0.0 Ok")
    {
        await s.SendAsync("220 scripted.test ESMTP\r\n");
        await s.ExpectAsync("EHLO");
        await s.SendEhloAsync("PIPELINING");
        while (await s.ReadLineAsync() is { } line)
        {
            string verb = line.Split(' ')[0].ToUpperInvariant();
            switch (verb)
            {
                case "MAIL" or "RCPT" or "RSET":
                    await Task.Delay(20);
                    await s.SendAsync("250 Ok\r\n");
                    break;
                case "DATA":
                    await s.SendAsync("354 Go\r\n");
                    await s.ReadDataAsync();
                    await s.SendAsync("250 Queued\r\n");
                    break;
                case "NOOP":
                    await s.SendAsync(noopReply + "\r\n");
                    if (noopReply.StartsWith("421", StringComparison.Ordinal))
                    {
                        return;
                    }

                    break;
                case "QUIT":
                    await s.SendAsync("221 Bye\r\n");
                    return;
                default:
                    await s.SendAsync("500 What\r\n");
                    break;
            }
        }
    }

    [Test]
    public async Task Concurrent_sends_never_open_more_than_the_maximum_connections()
    {
        await using var server = new ScriptedServer(s => ServeAsync(s));
        await using (var pool = new SmtpClientPool(ClientTestOptions.For(server.Port), maxConnections: 3))
        {
            var content = ClientTestOptions.Message("Subject: pool\r\n\r\nx\r\n");
            var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => pool.SendAsync(new SmtpSendEnvelope("s@example.org", $"r{i}@example.org"), content)));
            Assert.That(results.All(r => r.AllAccepted), Is.True);
            Assert.That(server.MaxConcurrentConnections, Is.LessThanOrEqualTo(3));
            Assert.That(server.Connections, Is.InRange(1, 3));
        }

        await server.CompleteAsync();
        Assert.That(server.Sessions.All(s => s.Commands.LastOrDefault() == "QUIT"), Is.True, "disposing the pool quits idle connections");
    }

    [Test]
    public async Task An_idle_connection_that_fails_its_NOOP_is_replaced_before_the_next_send()
    {
        int sessions = 0;
        await using var server = new ScriptedServer(s => ServeAsync(s, Interlocked.Increment(ref sessions) == 1 ? "421 4.4.2 Idle timeout" : "250 Ok"));
        await using var pool = new SmtpClientPool(ClientTestOptions.For(server.Port), maxConnections: 1, healthCheckAfterIdle: TimeSpan.Zero);
        var content = ClientTestOptions.Message("x\r\n");

        Assert.That((await pool.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org"), content)).AllAccepted, Is.True);
        Assert.That((await pool.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org"), content)).AllAccepted, Is.True);
        Assert.That(server.Connections, Is.EqualTo(2));
        Assert.That(server.Sessions[0].Commands.Last(), Is.EqualTo("NOOP"));
    }

    [Test]
    public async Task A_connection_broken_by_a_send_is_not_reused()
    {
        int sessions = 0;
        await using var server = new ScriptedServer(async s =>
        {
            if (Interlocked.Increment(ref sessions) == 1)
            {
                await s.SendAsync("220 scripted.test ESMTP\r\n");
                await s.ExpectAsync("EHLO");
                await s.SendEhloAsync("PIPELINING");
                await s.ExpectAsync("MAIL");
                await s.ExpectAsync("RCPT");
                await s.SendAsync("421 4.3.0 Going down\r\n");
                s.Close();
                return;
            }

            await ServeAsync(s);
        });
        await using var pool = new SmtpClientPool(ClientTestOptions.For(server.Port), maxConnections: 1);
        var content = ClientTestOptions.Message("x\r\n");

        Assert.ThrowsAsync<SmtpProtocolException>(() => pool.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org"), content));
        Assert.That(pool.IdleCount, Is.Zero);
        Assert.That((await pool.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org"), content)).AllAccepted, Is.True);
        Assert.That(server.Connections, Is.EqualTo(2));
    }
}
