using System.IO.Pipelines;
using System.Text;
using Smtp.Core.Server;
using Smtp.Core.Storage;

namespace Smtp.Core.Tests.Storage;

public sealed class MemoryAndDiscardStoreTests
{
    [Test]
    public async Task The_in_memory_store_keeps_envelope_and_bytes_and_refuses_with_452_when_full()
    {
        var store = new InMemoryMessageStore(capacity: 2);
        Assert.That((await SaveAsync(store, "one")).IsAccepted, Is.True);
        Assert.That((await SaveAsync(store, "two")).IsAccepted, Is.True);
        SmtpResult full = await SaveAsync(store, "three");
        Assert.That(full.Reply?.Code, Is.EqualTo(452));
        Assert.That(full.Reply?.EnhancedCode, Is.EqualTo("4.3.1"));
        Assert.That(store.Messages.Select(m => Encoding.ASCII.GetString(m.Body.Span)), Is.EqualTo(new[] { "one", "two" }));
        Assert.That(store.Messages[0].Envelope.From, Is.EqualTo("a@b.c"));
        Assert.That(store.TakeAll(), Has.Count.EqualTo(2));
        Assert.That(store.Count, Is.Zero);
        Assert.That((await SaveAsync(store, "four")).IsAccepted, Is.True);
    }

    [Test]
    public async Task The_discard_store_reads_everything_and_counts_it()
    {
        var store = new DiscardMessageStore();
        Assert.That((await SaveAsync(store, "12345")).IsAccepted, Is.True);
        Assert.That((await SaveAsync(store, "678")).IsAccepted, Is.True);
        Assert.That(store.MessageCount, Is.EqualTo(2));
        Assert.That(store.ByteCount, Is.EqualTo(8));
    }

    [Test]
    public void Result_factories_validate_codes()
    {
        Assert.That(SmtpResult.Accept().IsAccepted, Is.True);
        Assert.That(SmtpResult.Reject(550, "5.7.1", "no").IsAccepted, Is.False);
        Assert.That(SmtpResult.Reject(450, "4.2.1", "later").Reply, Is.EqualTo(new Smtp.Core.Protocol.SmtpReply(450, "4.2.1", "later")));
        Assert.Throws<ArgumentOutOfRangeException>(() => SmtpResult.Reject(250, "2.0.0", "not a rejection"));
        Assert.Throws<ArgumentOutOfRangeException>(() => SmtpResult.Reject(550, "4.7.1", "class mismatch"));
        Assert.Throws<ArgumentOutOfRangeException>(() => SmtpResult.FromReply(new Smtp.Core.Protocol.SmtpReply(354, null, "no")));
        Assert.Throws<ArgumentException>(() => SmtpResult.Reject(550, "5.7.1", "forged\r\n250 OK"));
        Assert.Throws<ArgumentException>(() => SmtpResult.Reject(550, "5.x.1", "bad code"));
        Assert.That(SmtpResult.Reject(550, "5.7.1", "two\nlines").Reply?.Text, Is.EqualTo("two\nlines"));
    }

    private static async Task<SmtpResult> SaveAsync(IMessageStore store, string text)
    {
        var body = new Pipe();
        await body.Writer.WriteAsync(Encoding.ASCII.GetBytes(text));
        await body.Writer.CompleteAsync();
        return await store.SaveAsync(new SmtpSessionContext("s", null, null, false), MaildirMessageStoreTests.TestEnvelope(), body.Reader, CancellationToken.None);
    }

}
