using Smtp.Core.Server;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

public sealed class ShutdownTests
{
    [Test]
    public async Task Stop_sends_421_to_idle_sessions_and_closes_them()
    {
        var time = new ManualTimeProvider();
        var server = new SmtpServer(new SmtpServerOptions { ServerName = "mx.test", TimeProvider = time });
        await using var h = new SessionHarness(server);
        await h.GreetAsync();
        await server.StopAsync();
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.3.2"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
        Assert.That(server.ActiveSessionCount, Is.Zero);
    }

    [Test]
    public async Task A_transfer_in_progress_finishes_during_the_grace_period_then_gets_421()
    {
        var time = new ManualTimeProvider();
        var store = new Smtp.Core.Storage.InMemoryMessageStore();
        var server = new SmtpServer(new SmtpServerOptions { ServerName = "mx.test", TimeProvider = time, MessageStore = store, ShutdownGracePeriod = TimeSpan.FromSeconds(30) });
        await using var h = new SessionHarness(server);
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            C: RCPT TO:<d@e.f>
            S: 250
            S: 250
            C: DATA
            S: 354
            C: first part
            """);
        Task stop = server.StopAsync();
        await Task.Delay(50);
        Assert.That(stop.IsCompleted, Is.False);
        await h.SendAsync("second part\r\n.\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.3.2"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
        await stop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(store.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task A_transfer_that_outlasts_the_grace_period_is_aborted_and_stores_nothing()
    {
        var time = new ManualTimeProvider();
        var store = new Smtp.Core.Storage.InMemoryMessageStore();
        var server = new SmtpServer(new SmtpServerOptions { ServerName = "mx.test", TimeProvider = time, MessageStore = store, ShutdownGracePeriod = TimeSpan.FromSeconds(30) });
        await using var h = new SessionHarness(server);
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            C: RCPT TO:<d@e.f>
            S: 250
            S: 250
            C: DATA
            S: 354
            C: slow
            """);
        Task stop = server.StopAsync();
        await SessionLimitsTests.WaitUntilAsync(() => time.ArmedTimerCount == 3);
        time.Advance(TimeSpan.FromSeconds(30));
        await stop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.3.2"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public async Task A_store_that_ignores_cancellation_does_not_hang_the_shutdown()
    {
        var time = new ManualTimeProvider();
        var never = new TaskCompletionSource<SmtpResult>();
        var bodyRead = new TaskCompletionSource();
        var server = new SmtpServer(new SmtpServerOptions
        {
            ServerName = "mx.test",
            TimeProvider = time,
            ShutdownGracePeriod = TimeSpan.FromSeconds(5),
            MessageStore = MessageStore.FromDelegate(async (_, _, body, _) =>
            {
                // Reads the whole body, then hangs, deaf to its cancellation token.
                while (true)
                {
                    var read = await body.ReadAsync();
                    body.AdvanceTo(read.Buffer.End);
                    if (read.IsCompleted)
                    {
                        break;
                    }
                }

                bodyRead.SetResult();
                return await never.Task;
            }),
        });
        await using var h = new SessionHarness(server);
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            C: RCPT TO:<d@e.f>
            S: 250
            S: 250
            C: DATA
            S: 354
            C: x
            C: .
            """);
        await bodyRead.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Task stop = server.StopAsync();
        await SessionLimitsTests.WaitUntilAsync(() => time.ArmedTimerCount >= 2);
        Assert.That(stop.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromSeconds(5));
        await stop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.3.2"));
        never.SetResult(SmtpResult.Accept());
    }

    [Test]
    public async Task After_stop_new_sessions_are_refused()
    {
        var server = new SmtpServer(new SmtpServerOptions { ServerName = "mx.test" });
        await server.StopAsync();
        await using var h = new SessionHarness(server);
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.3.2"));
    }

    [Test]
    public async Task Shutdown_during_a_bdat_chunk_lets_the_whole_transaction_finish()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("RCPT TO:<d@e.f>"), Does.StartWith("250"));
        await h.SendAsync("BDAT 10\r\nhello");
        await Task.Delay(200);
        Task stop = h.Server.StopAsync();
        await Task.Delay(200);
        await h.SendAsync("world");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250"));

        // Between chunks the transaction is still a transfer in progress: the next chunk is read, not refused.
        await h.SendAsync("BDAT 0 LAST\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250"), "the transfer in progress should finish before 421");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.3.2"));
        await stop;
        Assert.That(h.Store.Messages.Single().Body.ToArray(), Is.EqualTo("helloworld"u8.ToArray()));
    }

    [Test]
    public async Task Abort_does_not_wait_for_a_connection_filter_that_ignores_its_token()
    {
        var h = new SessionHarness(o => o.ConnectionFilter = ConnectionFilter.FromDelegate(async (_, _) =>
        {
            await Task.Delay(Timeout.Infinite);
            return SmtpResult.Accept();
        }));
        await Task.Delay(200);
        Task stop = h.Server.StopAsync(new CancellationToken(true));
        Assert.That(await Task.WhenAny(stop, Task.Delay(5000)), Is.SameAs(stop), "StopAsync hangs after the abort");
        Assert.That(h.Session.IsCompleted, Is.True);
    }

    [Test]
    public async Task A_connection_filter_that_never_answers_is_bounded_by_the_command_timeout()
    {
        await using var h = new SessionHarness(o =>
        {
            o.CommandTimeout = TimeSpan.FromMinutes(5);
            o.ConnectionFilter = ConnectionFilter.FromDelegate(async (_, _) =>
            {
                await Task.Delay(Timeout.Infinite);
                return SmtpResult.Accept();
            });
        });
        await SessionLimitsTests.WaitUntilAsync(() => h.Time.ArmedTimerCount > 0);
        h.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.3.0"));
        Assert.That(await Task.WhenAny(h.Session, Task.Delay(5000)), Is.SameAs(h.Session));
    }

    [Test]
    public async Task A_host_token_callback_that_throws_does_not_break_stop()
    {
        var h = new SessionHarness(o => o.MessageStore = MessageStore.FromDelegate(async (_, _, body, ct) =>
        {
            ct.Register(() => throw new InvalidOperationException("host callback"));
            await Task.Delay(Timeout.Infinite, ct);
            return SmtpResult.Accept();
        }));
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("RCPT TO:<d@e.f>"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("DATA"), Does.StartWith("354"));
        await h.SendAsync("partial\r\n");
        await Task.Delay(200);
        Task stop = h.Server.StopAsync(new CancellationToken(true));
        Assert.That(await Task.WhenAny(stop, Task.Delay(5000)), Is.SameAs(stop), "StopAsync hangs");
        Assert.That(async () => await stop, Throws.Nothing);
        Assert.That(h.Session.IsCompleted, Is.True);
    }

    [Test]
    public async Task Stop_waits_for_a_session_that_was_starting_when_it_began()
    {
        Task? stop = null;
        bool stopDoneInFilter = true;
        SmtpServer? server = null;
        var options = new SmtpServerOptions
        {
            ServerName = "mx.test",
            ConnectionFilter = ConnectionFilter.FromDelegate((_, _) =>
            {
                // The stop begins while the session is still in its first steps.
                stop = server!.StopAsync();
                stopDoneInFilter = stop.IsCompleted;
                return ValueTask.FromResult(SmtpResult.Accept());
            }),
        };
        server = new SmtpServer(options);
        await using var h = new SessionHarness(server);
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.3.2"));
        await h.Session;
        await stop!;
        Assert.That(stopDoneInFilter, Is.False, "StopAsync did not wait for the session");
    }
}
