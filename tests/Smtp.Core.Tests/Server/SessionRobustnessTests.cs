using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Smtp.Core.Server;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

/// <summary>Whatever the client sends, how it is split, and how fast: bounded memory, no escaping exception.</summary>
public sealed class SessionRobustnessTests
{
    private const string Script =
        "EHLO c.test\r\nMAIL FROM:<a@b.c> SIZE=30\r\nRCPT TO:<d@e.f>\r\nDATA\r\n";

    private const string Body = "Subject: x\r\n\r\n..dot\r\n.\r\nQUIT\r\n";

    [Test]
    public async Task A_session_gives_the_same_replies_however_the_input_is_split()
    {
        string[]? reference = null;
        string all = Script + Body;
        for (int cut = 0; cut <= all.Length; cut++)
        {
            // The body must not arrive before the 354 (RFC 2920 §3.1), so cuts inside the script are sent as two
            // writes of the script and the body after the 354.
            await using var h = new SessionHarness();
            var replies = new List<string> { await h.ReadReplyAsync() };
            if (cut <= Script.Length)
            {
                await h.SendAsync(Script[..cut]);
                await h.SendAsync(Script[cut..]);
                for (int i = 0; i < 4; i++)
                {
                    replies.Add(await h.ReadReplyAsync());
                }

                await h.SendAsync(Body);
            }
            else
            {
                int inBody = cut - Script.Length;
                await h.SendAsync(Script);
                for (int i = 0; i < 4; i++)
                {
                    replies.Add(await h.ReadReplyAsync());
                }

                await h.SendAsync(Body[..inBody]);
                await h.SendAsync(Body[inBody..]);
            }

            replies.Add(await h.ReadReplyAsync());
            replies.Add(await h.ReadReplyAsync());
            Assert.That(await h.ServerClosedAsync(), Is.True);
            Assert.That(Encoding.ASCII.GetString(h.Store.Messages.Single().Body.Span), Is.EqualTo("Subject: x\r\n\r\n.dot\r\n"), $"cut at {cut}");
            reference ??= [.. replies];
            Assert.That(replies, Is.EqualTo(reference), $"cut at {cut}");
        }

        Assert.That(reference![^2], Does.StartWith("250 2.0.0"));
    }

    [Test]
    public async Task An_endless_line_is_consumed_without_being_buffered()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        byte[] chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));

        // The pipe to the server pauses the writer at 64 KiB unread: 4 MiB only gets through if the session
        // keeps discarding the too-long line instead of holding it.
        for (int i = 0; i < 64; i++)
        {
            await h.SendAsync(chunk).WaitAsync(TimeSpan.FromSeconds(10));
        }

        await h.SendAsync("\r\nNOOP\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("500 5.5.2"));
        Assert.That(await h.ReadReplyAsync(), Is.EqualTo("250 2.0.0 OK"));
    }

    [Test]
    public async Task A_store_that_does_not_read_holds_the_client_back_instead_of_buffering_the_body()
    {
        var release = new TaskCompletionSource();
        long stored = 0;
        await using var h = new SessionHarness(o => o.MessageStore = MessageStore.FromDelegate(async (_, _, body, ct) =>
        {
            await release.Task;
            while (true)
            {
                var read = await body.ReadAsync(ct);
                stored += read.Buffer.Length;
                body.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return SmtpResult.Accept();
                }
            }
        }));
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            C: RCPT TO:<d@e.f>
            C: DATA
            S: 250
            S: 250
            S: 354
            """);
        byte[] line = Encoding.ASCII.GetBytes(new string('y', 1022) + "\r\n");
        Task sending = Task.Run(async () =>
        {
            for (int i = 0; i < 2048; i++)
            {
                await h.SendAsync(line);
            }

            await h.SendAsync(".\r\n");
        });
        await Task.Delay(300);
        Assert.That(sending.IsCompleted, Is.False, "2 MiB must not fit between a stalled store and the client");
        release.SetResult();
        await sending.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(stored, Is.EqualTo(2048 * 1024));
    }

    [Test]
    public void Arbitrary_input_never_escapes_as_an_exception_and_the_session_ends_when_the_client_closes()
    {
        string[] fragments = ["EHLO x\r\n", "HELO y\r\n", "MAIL FROM:<a@b.c>\r\n", "RCPT TO:<d@e.f>\r\n", "DATA\r\n", "BDAT 3\r\n", "BDAT 0 LAST\r\n", ".\r\n", "\r\n", "\n", "\r", ".", "RSET\r\n", "NOOP\r\n", "\0", "ü", "x", "LHLO z\r\n", "AUTH LOGIN\r\n", "STARTTLS\r\n"];
        Gen<string> input = Gen.ListOf(Gen.OneOf(Gen.Elements(fragments), ArbMap.Default.GeneratorFor<char>().Select(c => c.ToString())))
            .Select(parts => string.Concat(parts));
        Prop.ForAll(input.ToArbitrary(), text =>
        {
            Run(text).GetAwaiter().GetResult();
        }).QuickCheckThrowOnFailure();

        static async Task Run(string text)
        {
            var h = new SessionHarness(o => o.MaxProtocolErrors = 1000);
            await h.ReadReplyAsync();
            await h.SendAsync(text);
            await h.CloseAsync();

            // Drain whatever the server answers until it closes.
            while (await h.ReadLineAsync() is not null)
            {
            }

            await h.Session.WaitAsync(TimeSpan.FromSeconds(10));
            await h.DisposeAsync();
        }
    }
}
