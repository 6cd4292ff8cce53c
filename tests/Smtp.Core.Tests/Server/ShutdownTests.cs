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
}
