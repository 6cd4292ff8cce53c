using System.IO.Pipelines;
using System.Text;
using Smtp.Core.Server;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

/// <summary>RFC 3030: CHUNKING (BDAT) and BINARYMIME.</summary>
public sealed class SessionBdatTests
{
    [Test]
    public async Task Chunks_are_concatenated_into_the_stored_body()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c> BODY=BINARYMIME
            S: 250 2.1.0
            C: RCPT TO:<d@e.f>
            S: 250 2.1.5
            """);
        await h.SendAsync("BDAT 5\r\nhel\r\nBDAT 6 LAST\r\n.o\0\r\n.");
        Assert.That(await h.ReadReplyAsync(), Is.EqualTo("250 2.0.0 5 octets received"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(h.Store.Messages.Single().Body.ToArray(), Is.EqualTo(Encoding.ASCII.GetBytes("hel\r\n.o\0\r\n.")));
    }

    [Test]
    public async Task Pipelined_chunks_are_answered_in_one_flush()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        int before = h.Output.Flushes;
        await h.SendAsync("MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nBDAT 3\r\nabcBDAT 3\r\ndefBDAT 0 LAST\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.1.0"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.1.5"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0 3 octets"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0 3 octets"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(h.Output.Flushes - before, Is.EqualTo(1));
        Assert.That(Encoding.ASCII.GetString(h.Store.Messages.Single().Body.Span), Is.EqualTo("abcdef"));
    }

    [Test]
    public async Task Bdat_without_a_transaction_is_refused_after_its_chunk_is_read()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        await h.SendAsync("BDAT 12\r\nNOOP\r\nQUIT\r\nNOOP\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("503 5.5.1"));
        Assert.That(await h.ReadReplyAsync(), Is.EqualTo("250 2.0.0 OK"));
    }

    [Test]
    public async Task Bdat_after_helo_is_refused()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync("HELO c.test");
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("RCPT TO:<a@b.c>"), Does.StartWith("250"));
        await h.SendAsync("BDAT 2 LAST\r\nhi");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("503 5.5.1"));
        Assert.That(h.Store.Count, Is.Zero);
    }

    [Test]
    public async Task Chunks_over_the_size_limit_fail_the_transaction_with_552()
    {
        await using var h = new SessionHarness(o => o.MaxMessageSize = 10);
        await h.GreetAsync();
        await h.SendAsync("MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nBDAT 6\r\n123456BDAT 6\r\n7890ab");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0 6 octets"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("552 5.3.4"));

        // The transaction is over: a further chunk is read, dropped and refused.
        await h.SendAsync("BDAT 2 LAST\r\ncdNOOP\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("503 5.5.1"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0 OK"));
        Assert.That(h.Store.Count, Is.Zero);
    }

    [Test]
    public async Task Data_after_bdat_in_the_same_transaction_is_refused()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        await h.SendAsync("MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nBDAT 1\r\nxDATA\r\n");
        await h.ReadReplyAsync();
        await h.ReadReplyAsync();
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0 1 octets"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("503 5.5.1"));
    }

    [Test]
    public async Task Rset_between_chunks_discards_the_message()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        await h.SendAsync("MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nBDAT 3\r\nabcRSET\r\n");
        await h.ReadReplyAsync();
        await h.ReadReplyAsync();
        await h.ReadReplyAsync();
        Assert.That(await h.ReadReplyAsync(), Is.EqualTo("250 2.0.0 OK"));
        Assert.That(h.Store.Count, Is.Zero);
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            C: RCPT TO:<d@e.f>
            C: BDAT 2 LAST
            S: 250
            S: 250
            """);
        await h.SendAsync("ok");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(Encoding.ASCII.GetString(h.Store.Messages.Single().Body.Span), Is.EqualTo("ok"));
    }

    [Test]
    public async Task A_malformed_bdat_size_closes_the_session_because_the_chunk_end_is_unknown()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        await h.SendAsync("BDAT lots\r\nRCPT TO:<x@y.z>\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("501 5.5.4"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
    }

    [Test]
    public async Task A_connection_dropped_between_chunks_stores_nothing()
    {
        var h = new SessionHarness();
        await h.GreetAsync();
        await h.SendAsync("MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nBDAT 3\r\nabc");
        await h.ReadReplyAsync();
        await h.ReadReplyAsync();
        await h.ReadReplyAsync();
        await h.CloseAsync();
        await h.Session.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(h.Store.Count, Is.Zero);
        await h.DisposeAsync();
    }

    [Test]
    public async Task A_stale_read_cancellation_while_a_refused_chunk_is_skipped_does_not_end_the_session()
    {
        var toServer = new Pipe(new PipeOptions(useSynchronizationContext: false));
        var toClient = new Pipe(new PipeOptions(useSynchronizationContext: false));
        await using var server = new SmtpServer(new SmtpServerOptions { ServerName = "mx.test" });
        Task session = server.RunSessionAsync(new Transport(toServer.Reader, toClient.Writer), null, null);
        await toServer.Writer.WriteAsync(Encoding.ASCII.GetBytes("EHLO c.test\r\nBDAT 10\r\nhello"));
        await Task.Delay(200);

        // A cancellation no interrupt asked for (a timer that fired as its read completed): not a reason to close.
        toServer.Reader.CancelPendingRead();
        await Task.Delay(200);
        await toServer.Writer.WriteAsync(Encoding.ASCII.GetBytes("worldQUIT\r\n"));
        await toServer.Writer.CompleteAsync();
        await session.WaitAsync(TimeSpan.FromSeconds(10));
        string transcript = Encoding.ASCII.GetString((await toClient.Reader.ReadAsync()).Buffer);
        Assert.That(transcript, Does.Contain("503 5.5.1").And.Contain("221 "));
    }

    private sealed class Transport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
