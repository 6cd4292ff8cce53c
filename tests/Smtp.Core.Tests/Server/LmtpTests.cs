using System.IO.Pipelines;
using Smtp.Core.Server;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

/// <summary>RFC 2033: LHLO, and one reply per accepted recipient after the data.</summary>
public sealed class LmtpTests
{
    [Test]
    public async Task Lmtp_greets_with_lhlo_and_refuses_helo_and_ehlo()
    {
        await using var h = new SessionHarness(o => o.Lmtp = true);
        Assert.That(await h.ReadReplyAsync(), Is.EqualTo("220 mx.test LMTP Service ready"));
        Assert.That(await h.CommandAsync("EHLO c.test"), Does.StartWith("500 5.5.1"));
        Assert.That(await h.CommandAsync("HELO c.test"), Does.StartWith("500 5.5.1"));
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("503 5.5.1"));
        Assert.That(await h.CommandAsync("LHLO c.test"), Does.StartWith("250-mx.test"));
    }

    [Test]
    public async Task Each_accepted_recipient_gets_its_own_reply_from_an_lmtp_store()
    {
        var store = new PerRecipientStore();
        await using var h = new SessionHarness(o =>
        {
            o.Lmtp = true;
            o.MessageStore = store;
            o.MailboxFilter = MailboxFilter.FromDelegates(canDeliverTo: (_, _, r, _) => ValueTask.FromResult(
                r.Address.StartsWith("unknown", StringComparison.Ordinal) ? SmtpResult.Reject(550, "5.1.1", "No such user") : SmtpResult.Accept()));
        });
        await h.GreetAsync("LHLO c.test");
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            C: RCPT TO:<one@b.c>
            C: RCPT TO:<unknown@b.c>
            C: RCPT TO:<full@b.c>
            C: RCPT TO:<three@b.c>
            C: DATA
            S: 250 2.1.0
            S: 250 2.1.5
            S: 550 5.1.1
            S: 250 2.1.5
            S: 250 2.1.5
            S: 354
            C: hello
            C: .
            S: 250 2.0.0 delivered to one@b.c
            S: 452 4.2.2 Mailbox full
            S: 250 2.0.0 delivered to three@b.c
            C: NOOP
            S: 250 2.0.0 OK
            """);
        Assert.That(store.BodyText, Is.EqualTo("hello\r\n"));
    }

    [Test]
    public async Task A_plain_store_result_is_repeated_per_recipient_in_lmtp()
    {
        await using var h = new SessionHarness(o => o.Lmtp = true);
        await h.GreetAsync("LHLO c.test");
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            C: RCPT TO:<one@b.c>
            C: RCPT TO:<two@b.c>
            C: DATA
            S: 250
            S: 250
            S: 250
            S: 354
            C: x
            C: .
            S: 250 2.0.0
            S: 250 2.0.0
            C: QUIT
            S: 221
            """);
    }

    [Test]
    public async Task A_size_failure_in_lmtp_is_reported_for_every_recipient()
    {
        await using var h = new SessionHarness(o =>
        {
            o.Lmtp = true;
            o.MaxMessageSize = 4;
        });
        await h.GreetAsync("LHLO c.test");
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            C: RCPT TO:<one@b.c>
            C: RCPT TO:<two@b.c>
            C: BDAT 10 LAST
            S: 250
            S: 250
            S: 250
            """);
        await h.SendAsync("0123456789");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("552 5.3.4"));
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("552 5.3.4"));
        Assert.That(await h.CommandAsync("NOOP"), Does.StartWith("250 2.0.0 OK"));
    }

    [Test]
    public async Task Data_without_recipients_gets_503_in_lmtp()
    {
        await using var h = new SessionHarness(o => o.Lmtp = true);
        await h.GreetAsync("LHLO c.test");
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("DATA"), Does.StartWith("503 5.5.1"));
    }

    private sealed class PerRecipientStore : ILmtpMessageStore
    {
        public string? BodyText { get; private set; }

        public ValueTask<SmtpResult> SaveAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
            => throw new InvalidOperationException("LMTP sessions call SaveForRecipientsAsync");

        public async ValueTask<IReadOnlyList<SmtpResult>> SaveForRecipientsAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream();
            await body.CopyToAsync(stream, cancellationToken);
            BodyText = System.Text.Encoding.ASCII.GetString(stream.ToArray());
            return envelope.Recipients
                .Select(r => r.Address.StartsWith("full", StringComparison.Ordinal)
                    ? SmtpResult.Reject(452, "4.2.2", "Mailbox full")
                    : SmtpResult.Accept("2.0.0", "delivered to " + r.Address))
                .ToArray();
        }
    }
}
