using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

/// <summary>RFC 2920: replies to a pipelined batch leave in one flush; DATA is a synchronisation point.</summary>
public sealed class SessionPipeliningTests
{
    [Test]
    public async Task Replies_to_a_pipelined_batch_leave_in_one_flush()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        int before = h.Output.Flushes;
        await h.SendAsync("MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nRCPT TO:<g@e.f>\r\nNOOP\r\nDATA\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.1.0"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.1.5"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.1.5"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("354"));
        Assert.That(h.Output.Flushes - before, Is.EqualTo(1));
    }

    [Test]
    public async Task A_batch_split_across_reads_is_answered_only_once_no_complete_command_is_left()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        int before = h.Output.Flushes;

        // The second command is incomplete: the first reply must still go out (nothing else is complete).
        await h.SendAsync("NOOP\r\nNO");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250"));
        Assert.That(h.Output.Flushes - before, Is.EqualTo(1));
        await h.SendAsync("OP\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250"));
    }

    [Test]
    public async Task Commands_pipelined_after_the_final_dot_are_answered_in_the_same_flush()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        await h.SendAsync("MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\n");
        await h.ReadReplyAsync();
        await h.ReadReplyAsync();
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("354"));
        int before = h.Output.Flushes;
        await h.SendAsync("hello\r\n.\r\nMAIL FROM:<x@b.c>\r\nRCPT TO:<y@e.f>\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.1.0"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.1.5"));
        Assert.That(h.Output.Flushes - before, Is.EqualTo(1));
        Assert.That(h.Store.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task Message_text_sent_before_the_354_is_a_synchronisation_error_and_closes_the_session()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        await h.SendAsync("MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.1.0"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.1.5"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("554 5.5.0"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
        Assert.That(h.Store.Count, Is.Zero);
    }
}
