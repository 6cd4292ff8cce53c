using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

/// <summary>RFC 5321 §4.5.3.2 timeouts and the DATA deadline, on a fake clock.</summary>
public sealed class SessionTimeoutTests
{
    [Test]
    public async Task An_idle_client_gets_421_after_the_command_timeout()
    {
        await using var h = new SessionHarness(o => o.CommandTimeout = TimeSpan.FromMinutes(5));
        await h.GreetAsync();
        await SessionLimitsTests.WaitUntilAsync(() => h.Time.ArmedTimerCount == 1);
        h.Time.Advance(TimeSpan.FromMinutes(4));
        Assert.That(await h.CommandAsync("NOOP"), Does.StartWith("250"));
        await SessionLimitsTests.WaitUntilAsync(() => h.Time.ArmedTimerCount == 1);

        // The timeout restarts with each command: four more minutes are not enough...
        h.Time.Advance(TimeSpan.FromMinutes(4));
        Assert.That(h.Session.IsCompleted, Is.False);

        // ...five are.
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.4.2"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
    }

    [Test]
    public async Task A_client_silent_in_the_middle_of_data_gets_421_and_nothing_is_stored()
    {
        await using var h = new SessionHarness(o => o.CommandTimeout = TimeSpan.FromMinutes(5));
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            S: 250
            C: RCPT TO:<d@e.f>
            S: 250
            C: DATA
            S: 354
            C: part of a message
            """);
        await SessionLimitsTests.WaitUntilAsync(() => h.Time.ArmedTimerCount == 2, () => $"armed {h.Time.ArmedTimerCount} at {h.Time.GetUtcNow()} session {h.Session.Status} reply {h.ReadLineAsync().Result}");
        h.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.4.2"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
        Assert.That(h.Store.Count, Is.Zero);
    }

    [Test]
    public async Task A_trickling_client_is_stopped_by_the_data_deadline()
    {
        long received = 0;
        await using var h = new SessionHarness(o =>
        {
            o.CommandTimeout = TimeSpan.FromMinutes(5);
            o.DataTimeout = TimeSpan.FromMinutes(10);
            o.MessageStore = Smtp.Core.Server.MessageStore.FromDelegate(async (_, _, body, ct) =>
            {
                while (true)
                {
                    var read = await body.ReadAsync(ct);
                    Interlocked.Add(ref received, read.Buffer.Length);
                    body.AdvanceTo(read.Buffer.End);
                    if (read.IsCompleted)
                    {
                        return Smtp.Core.Server.SmtpResult.Accept();
                    }
                }
            });
        });
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            S: 250
            C: RCPT TO:<d@e.f>
            S: 250
            C: DATA
            S: 354
            """);

        // A line every four minutes never trips the command timeout, but the whole transfer is bounded.
        for (int i = 1; i <= 3; i++)
        {
            await h.SendAsync("line\r\n");
            long expected = i * 6;
            await SessionLimitsTests.WaitUntilAsync(() => Interlocked.Read(ref received) == expected && h.Time.ArmedTimerCount == 2);
            Assert.That(h.Session.IsCompleted, Is.False);
            h.Time.Advance(TimeSpan.FromMinutes(i < 3 ? 4 : 2));
        }

        Assert.That(await h.ReadReplyAsync(), Is.EqualTo("421 4.4.2 Message transfer took too long, closing connection"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
    }

    [Test]
    public async Task A_refused_chunk_of_huge_announced_size_is_bounded_by_the_data_deadline()
    {
        await using var h = new SessionHarness(o => o.DataTimeout = TimeSpan.FromMinutes(10));
        await h.GreetAsync();
        await h.SendAsync("BDAT 9000000000000\r\nsome");
        await SessionLimitsTests.WaitUntilAsync(() => h.Time.ArmedTimerCount == 2);

        // Four minutes of silence each time: never the five-minute command timeout, but ten minutes in all.
        for (int i = 0; i < 2; i++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(4));
            int changes = h.Time.ChangeCount;
            await h.SendAsync("more");
            await SessionLimitsTests.WaitUntilAsync(() => h.Time.ChangeCount >= changes + 2 && h.Time.ArmedTimerCount == 2);
        }

        h.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.That(await h.ReadReplyAsync(), Is.EqualTo("421 4.4.2 Message transfer took too long, closing connection"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
    }

    [Test]
    public async Task The_data_deadline_is_disarmed_after_the_message()
    {
        await using var h = new SessionHarness(o => o.DataTimeout = TimeSpan.FromMinutes(1));
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
            S: 250 2.0.0
            """);
        await SessionLimitsTests.WaitUntilAsync(() => h.Time.ArmedTimerCount == 1);
        h.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.That(await h.CommandAsync("NOOP"), Does.StartWith("250"));
    }

    [Test]
    public async Task A_command_line_trickled_byte_by_byte_is_bounded_by_the_command_timeout()
    {
        await using var h = new SessionHarness(o => o.CommandTimeout = TimeSpan.FromMinutes(5));
        await h.GreetAsync();
        foreach (char c in "NOO")
        {
            int changes = h.Time.ChangeCount;
            await h.SendAsync(c.ToString());
            await SessionLimitsTests.WaitUntilAsync(() => h.Time.ChangeCount >= changes + 2 && h.Time.ArmedTimerCount == 1);
            h.Time.Advance(TimeSpan.FromMinutes(2));
        }

        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.4.2"), "6 minutes for one command line with a 5 minute timeout");
    }

    [Test]
    public async Task Each_complete_command_line_gets_a_fresh_timeout()
    {
        await using var h = new SessionHarness(o => o.CommandTimeout = TimeSpan.FromMinutes(5));
        await h.GreetAsync();
        for (int i = 0; i < 3; i++)
        {
            int changes = h.Time.ChangeCount;
            Assert.That(await h.CommandAsync("NOOP"), Does.StartWith("250"));
            await SessionLimitsTests.WaitUntilAsync(() => h.Time.ChangeCount > changes && h.Time.ArmedTimerCount == 1);
            h.Time.Advance(TimeSpan.FromMinutes(4));
        }

        Assert.That(await h.CommandAsync("NOOP"), Does.StartWith("250"));
    }

    [Test]
    public async Task A_client_that_never_reads_its_replies_is_dropped_after_one_command_timeout()
    {
        var h = new SessionHarness(o => o.CommandTimeout = TimeSpan.FromMinutes(5));
        await h.GreetAsync();

        // 168 KB of replies against a 64 KB pipe that nobody reads: the server's flush blocks.
        Task sending = h.SendAsync(string.Concat(Enumerable.Repeat("NOOP\r\n", 12_000)));
        await SessionLimitsTests.WaitUntilAsync(() => h.Time.ArmedTimerCount == 1);
        await Task.Delay(300);
        Assert.That(h.Session.IsCompleted, Is.False);
        h.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(await Task.WhenAny(h.Session, Task.Delay(5000)), Is.SameAs(h.Session), "the flush got a second timeout");
        await h.Server.StopAsync(new CancellationToken(true));
        _ = sending;
    }
}
