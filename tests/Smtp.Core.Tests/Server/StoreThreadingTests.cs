using System.IO.Pipelines;
using System.Text;
using Smtp.Core.Server;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

/// <summary>
/// Where the message store runs: on the thread pool by default, free to read the body synchronously; on the
/// session's own flow with <see cref="SmtpServerOptions.RunMessageStoreInline"/>, where a blocking read is released
/// by the DATA deadline instead of hanging the session.
/// </summary>
public sealed class StoreThreadingTests
{
    private static async Task<SessionHarness> InDataAsync(Action<SmtpServerOptions> configure)
    {
        var h = new SessionHarness(configure);
        await h.EnterDataAsync();
        return h;
    }

    private static IMessageStore SynchronouslyReadingStore(Action<string> received) => MessageStore.FromDelegate((_, _, body, _) =>
    {
        // As a store that parses with a synchronous API (StreamReader.ReadToEnd, a MIME parser's Load) does.
        using var reader = new StreamReader(body.AsStream(), Encoding.ASCII);
        received(reader.ReadToEnd());
        return ValueTask.FromResult(SmtpResult.Accept());
    });

    [Test]
    public async Task By_default_a_store_that_reads_the_body_synchronously_gets_the_whole_message()
    {
        string? text = null;
        await using var h = await InDataAsync(o => o.MessageStore = SynchronouslyReadingStore(t => text = t));
        await h.SendAsync("Subject: x\r\n\r\nhello\r\n.\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(text, Is.EqualTo("Subject: x\r\n\r\nhello\r\n"));
    }

    [Test]
    public async Task An_inline_store_blocked_on_the_body_is_released_by_the_data_deadline_and_the_session_closes_with_421()
    {
        await using var h = await InDataAsync(o =>
        {
            o.RunMessageStoreInline = true;
            o.DataTimeout = TimeSpan.FromMinutes(1);
            o.MessageStore = SynchronouslyReadingStore(_ => { });
        });
        await h.SendAsync("Subject: x\r\n\r\nhello\r\n.\r\n");

        // The store blocks the session's thread on bytes only that thread could deliver; the deadline wakes it.
        h.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.4.2"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
        Assert.That(await Task.WhenAny(h.Session, Task.Delay(TimeSpan.FromSeconds(10))), Is.SameAs(h.Session));
        Assert.That(h.Store.Messages, Is.Empty);
    }

    [Test]
    public async Task An_inline_store_that_reads_with_await_gets_a_large_body_through_the_back_pressure_window()
    {
        // Far beyond the body pipe's 64 KiB pause threshold, in many writes: the session and the store take turns
        // on each other's threads.
        await using var h = await InDataAsync(o => o.RunMessageStoreInline = true);
        string line = new string('x', 998) + "\r\n";
        var body = new StringBuilder();
        for (int i = 0; i < 600; i++)
        {
            body.Append(line);
        }

        for (int i = 0; i < 600; i += 50)
        {
            await h.SendAsync(string.Concat(Enumerable.Repeat(line, 50)));
        }

        await h.SendAsync(".\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(Encoding.ASCII.GetString(h.Store.Messages.Single().Body.Span), Is.EqualTo(body.ToString()));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_store_that_stops_reading_and_ignores_its_token_gets_421_at_the_data_deadline_and_the_session_ends(bool inline)
    {
        var never = new TaskCompletionSource<SmtpResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var h = await InDataAsync(o =>
        {
            o.RunMessageStoreInline = inline;
            o.DataTimeout = TimeSpan.FromMinutes(1);
            o.MessageStore = MessageStore.FromDelegate((_, _, _, _) => new ValueTask<SmtpResult>(never.Task));
        });

        // More than the body pipe holds (64 KiB): the session waits for a store that never reads.
        byte[] line = Encoding.ASCII.GetBytes(new string('y', 1022) + "\r\n");
        Task sending = Task.Run(async () =>
        {
            for (int i = 0; i < 256; i++)
            {
                await h.SendAsync(line);
            }
        });
        await Task.Delay(200);
        h.Time.Advance(TimeSpan.FromMinutes(2));

        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.4.2"));
        Assert.That(await Task.WhenAny(h.Session, Task.Delay(TimeSpan.FromSeconds(10))), Is.SameAs(h.Session), "the session must not wait for the store");
        never.SetResult(SmtpResult.Accept());
    }

    [Test]
    public async Task With_an_inline_store_a_client_that_drops_in_the_middle_of_the_body_leaves_nothing_stored()
    {
        await using var h = await InDataAsync(o => o.RunMessageStoreInline = true);
        await h.SendAsync("Subject: cut\r\n\r\nfirst half\r\n");
        await h.CloseAsync();
        Assert.That(await Task.WhenAny(h.Session, Task.Delay(TimeSpan.FromSeconds(10))), Is.SameAs(h.Session));
        Assert.That(h.Store.Messages, Is.Empty);
    }
}
