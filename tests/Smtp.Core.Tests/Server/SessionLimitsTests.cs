using System.Net;
using Smtp.Core.Server;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

public sealed class SessionLimitsTests
{
    [Test]
    public async Task A_command_line_over_the_limit_is_rejected_and_the_session_continues()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("NOOP " + new string('x', 600)), Does.StartWith("500 5.5.2"));
        Assert.That(await h.CommandAsync("NOOP"), Is.EqualTo("250 2.0.0 OK"));
    }

    [Test]
    public async Task A_bare_lf_in_a_command_line_is_rejected_and_the_smuggled_rest_is_not_executed()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        await h.SendAsync("NOOP\nRSET\r\nQUIT\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("500 5.5.2"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("221"));
    }

    [Test]
    public async Task Recipients_beyond_the_limit_get_452()
    {
        await using var h = new SessionHarness(o => o.MaxRecipients = 2);
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            S: 250 2.1.0
            C: RCPT TO:<r1@b.c>
            S: 250 2.1.5
            C: RCPT TO:<r2@b.c>
            S: 250 2.1.5
            C: RCPT TO:<r3@b.c>
            S: 452 4.5.3
            C: DATA
            S: 354
            C: x
            C: .
            S: 250 2.0.0
            """);
        Assert.That(h.Store.Messages.Single().Envelope.Recipients, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Mail_size_over_the_limit_is_refused_with_552()
    {
        await using var h = new SessionHarness(o => o.MaxMessageSize = 1000);
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c> SIZE=1001"), Does.StartWith("552 5.3.4"));
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c> SIZE=1000"), Does.StartWith("250 2.1.0"));
    }

    [Test]
    public async Task Data_over_the_size_limit_is_read_to_its_end_then_refused_with_552_and_nothing_is_stored()
    {
        await using var h = new SessionHarness(o => o.MaxMessageSize = 100);
        await h.EnterDataAsync();
        await h.SendAsync(string.Concat(Enumerable.Repeat("0123456789012345678901234567890123456789\r\n", 10)) + ".\r\nNOOP\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("552 5.3.4"));
        Assert.That(await h.ReadReplyAsync(), Is.EqualTo("250 2.0.0 OK"));
        Assert.That(h.Store.Count, Is.Zero);
    }

    [Test]
    public async Task Too_many_protocol_errors_end_the_session_with_421()
    {
        await using var h = new SessionHarness(o => o.MaxProtocolErrors = 3);
        await h.GreetAsync();
        for (int i = 0; i < 3; i++)
        {
            Assert.That(await h.CommandAsync("BOGUS"), Does.StartWith("500"));
        }

        Assert.That(await h.CommandAsync("BOGUS"), Does.StartWith("500"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.7.0"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
    }

    [Test]
    public async Task Host_rejections_do_not_count_as_protocol_errors()
    {
        await using var h = new SessionHarness(o =>
        {
            // Rejections have their own budget (MaxRejectedRecipients, tested separately); the protocol error
            // budget is far smaller here and must not be touched by them.
            o.MaxProtocolErrors = 1;
            o.MaxRejectedRecipients = 10;
            o.MailboxFilter = MailboxFilter.FromDelegates(canDeliverTo: (_, _, _, _) => ValueTask.FromResult(SmtpResult.Reject(550, "5.1.1", "Unknown")));
        });
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("250"));
        for (int i = 0; i < 5; i++)
        {
            Assert.That(await h.CommandAsync("RCPT TO:<x@b.c>"), Does.StartWith("550 5.1.1"));
        }

        Assert.That(await h.CommandAsync("NOOP"), Does.StartWith("250"));
    }

    [Test]
    public async Task A_client_that_speaks_before_the_greeting_is_refused_with_554()
    {
        var time = new ManualTimeProvider();
        var options = new SmtpServerOptions { ServerName = "mx.test", TimeProvider = time, GreetingDelay = TimeSpan.FromSeconds(2) };
        await using var server = new SmtpServer(options);
        await using var h = new SessionHarness(server);
        await h.SendAsync("EHLO eager.test\r\n");
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("554 5.5.0"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
    }

    [Test]
    public async Task A_patient_client_gets_the_greeting_after_the_delay()
    {
        var time = new ManualTimeProvider();
        var options = new SmtpServerOptions { ServerName = "mx.test", TimeProvider = time, GreetingDelay = TimeSpan.FromSeconds(2) };
        await using var server = new SmtpServer(options);
        await using var h = new SessionHarness(server);
        await WaitUntilAsync(() => time.ArmedTimerCount > 0);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("220 mx.test"));
    }

    [Test]
    public async Task Connections_per_address_beyond_the_limit_get_421_at_connect()
    {
        await using var server = new SmtpServer(new SmtpServerOptions { ServerName = "mx.test", MaxConnectionsPerAddress = 2 });
        var same = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 1000);
        await using var first = new SessionHarness(server, same);
        await using var second = new SessionHarness(server, same);
        Assert.That(await first.ReadReplyAsync(), Does.StartWith("220"));
        Assert.That(await second.ReadReplyAsync(), Does.StartWith("220"));
        await using var third = new SessionHarness(server, same);
        Assert.That(await third.ReadReplyAsync(), Does.StartWith("421 4.7.0"));
        Assert.That(await third.ServerClosedAsync(), Is.True);
        await using var other = new SessionHarness(server, new IPEndPoint(IPAddress.Parse("192.0.2.8"), 1000));
        Assert.That(await other.ReadReplyAsync(), Does.StartWith("220"));
    }

    [Test]
    public async Task Connections_beyond_the_total_limit_get_421_and_a_slot_frees_when_a_session_ends()
    {
        await using var server = new SmtpServer(new SmtpServerOptions { ServerName = "mx.test", MaxConnections = 1 });
        var first = new SessionHarness(server);
        Assert.That(await first.ReadReplyAsync(), Does.StartWith("220"));
        await using (var second = new SessionHarness(server, new IPEndPoint(IPAddress.Parse("192.0.2.9"), 1)))
        {
            Assert.That(await second.ReadReplyAsync(), Does.StartWith("421 4.7.0"));
        }

        Assert.That(await first.CommandAsync("QUIT"), Does.StartWith("221"));
        await first.DisposeAsync();
        await using var third = new SessionHarness(server);
        Assert.That(await third.ReadReplyAsync(), Does.StartWith("220"));
    }

    [Test]
    public async Task A_connection_filter_can_refuse_with_its_own_reply()
    {
        await using var h = new SessionHarness(o => o.ConnectionFilter = ConnectionFilter.FromDelegate(
            (ctx, _) => ValueTask.FromResult(((IPEndPoint)ctx.RemoteEndPoint!).Address.Equals(IPAddress.Loopback)
                ? SmtpResult.Reject(554, "5.7.1", "Go away")
                : SmtpResult.Accept())));
        Assert.That(await h.ReadReplyAsync(), Is.EqualTo("554 5.7.1 Go away"));

        // RFC 5321 §3.1: after a 554 greeting the server waits for QUIT.
        Assert.That(await h.CommandAsync("QUIT"), Does.StartWith("221"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, Func<string>? describe = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("condition not reached: " + describe?.Invoke());
            }

            await Task.Delay(5);
        }
    }

    [Test]
    public async Task A_host_421_for_a_recipient_ends_the_session()
    {
        await using var h = new SessionHarness(o =>
            o.MailboxFilter = MailboxFilter.FromDelegates(canDeliverTo: (_, _, _, _) => ValueTask.FromResult(SmtpResult.Reject(421, "4.3.2", "Going down"))));
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("RCPT TO:<d@e.f>"), Does.StartWith("421 4.3.2"));
        Assert.That(await h.ServerClosedAsync(), Is.True, "RFC 5321 §3.8: a 421 closes the channel");
    }

    [Test]
    public async Task Rejected_recipients_beyond_the_session_limit_end_the_session_with_421()
    {
        await using var h = new SessionHarness(o =>
        {
            o.MaxRejectedRecipients = 3;
            o.MailboxFilter = MailboxFilter.FromDelegates(canDeliverTo: (_, _, _, _) => ValueTask.FromResult(SmtpResult.Reject(550, "5.1.1", "Unknown")));
        });
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("250"));
        for (int i = 0; i < 3; i++)
        {
            Assert.That(await h.CommandAsync($"RCPT TO:<x{i}@b.c>"), Does.StartWith("550 5.1.1"));
        }

        Assert.That(await h.CommandAsync("RCPT TO:<x3@b.c>"), Does.StartWith("421 4.7.0"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
    }

    [Test]
    public async Task After_a_554_greeting_the_server_answers_503_until_quit()
    {
        await using var h = new SessionHarness(o =>
            o.ConnectionFilter = ConnectionFilter.FromDelegate((_, _) => ValueTask.FromResult(SmtpResult.Reject(554, "5.7.1", "No SMTP service here"))));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("554 5.7.1"));
        Assert.That(await h.CommandAsync("EHLO client.test"), Does.StartWith("503 5.5.1"));
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("503 5.5.1"));
        Assert.That(await h.CommandAsync("QUIT"), Does.StartWith("221"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
    }

    [Test]
    public async Task After_a_554_greeting_the_error_budget_still_ends_the_session()
    {
        await using var h = new SessionHarness(o =>
        {
            o.MaxProtocolErrors = 2;
            o.ConnectionFilter = ConnectionFilter.FromDelegate((_, _) => ValueTask.FromResult(SmtpResult.Reject(554, "5.7.1", "No SMTP service here")));
        });
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("554 5.7.1"));
        await h.SendAsync("NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("503"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("503"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("503"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.7.0"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
    }

    [Test]
    public async Task A_421_greeting_closes_at_once()
    {
        await using var h = new SessionHarness(o =>
            o.ConnectionFilter = ConnectionFilter.FromDelegate((_, _) => ValueTask.FromResult(SmtpResult.Reject(421, "4.7.0", "Busy"))));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.7.0"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
    }
}
