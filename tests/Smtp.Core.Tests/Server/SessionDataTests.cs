using System.Text;
using Smtp.Core.Protocol;
using Smtp.Core.Server;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

public sealed class SessionDataTests
{
    private static async Task<SessionHarness> InDataAsync(Action<SmtpServerOptions>? configure = null)
    {
        var h = new SessionHarness(configure);
        await h.EnterDataAsync();
        return h;
    }

    // The 2023 SMTP smuggling variants: each would end the message early at a lenient hop. Here none of them
    // ends it: the message ends at the real <CRLF>.<CRLF>, and since it contains a bare line ending it is refused.
    [TestCase("\n.\n")]
    [TestCase("\n.\r\n")]
    [TestCase("\r\n.\n")]
    [TestCase("\r.\r")]
    [TestCase("\r.\r\n")]
    [TestCase("\r\n.\r")]
    [TestCase("\n.\r")]
    public async Task Smuggling_variants_do_not_end_the_data_and_the_message_is_refused(string fakeEnd)
    {
        await using var h = await InDataAsync();
        await h.SendAsync("Subject: x\r\n\r\nbody" + fakeEnd + "MAIL FROM:<evil@b.c>\r\nRCPT TO:<victim@e.f>\r\nDATA\r\nforged\r\n.\r\nNOOP\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("554 5.6.0"));
        Assert.That(await h.ReadReplyAsync(), Is.EqualTo("250 2.0.0 OK"));
        Assert.That(h.Store.Count, Is.Zero);
    }

    [Test]
    public async Task With_the_allow_policy_bare_line_endings_are_content_and_never_end_the_data()
    {
        await using var h = await InDataAsync(o => o.BareLineEndings = BareLineEndingPolicy.Allow);
        await h.SendAsync("a\n.\nb\r\n.\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(Encoding.ASCII.GetString(h.Store.Messages.Single().Body.Span), Is.EqualTo("a\n.\nb\r\n"));
    }

    [Test]
    public async Task A_body_split_into_single_bytes_is_stored_exactly()
    {
        await using var h = await InDataAsync();
        byte[] text = Encoding.ASCII.GetBytes("Line 1\r\n..dot\r\n\r\nlast\r\n.\r\n");
        foreach (byte b in text)
        {
            await h.SendAsync(new[] { b });
        }

        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(Encoding.ASCII.GetString(h.Store.Messages.Single().Body.Span), Is.EqualTo("Line 1\r\n.dot\r\n\r\nlast\r\n"));
    }

    [Test]
    public async Task An_empty_message_is_stored_empty()
    {
        await using var h = await InDataAsync();
        await h.SendAsync(".\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(h.Store.Messages.Single().Body.Length, Is.Zero);
    }

    [Test]
    public async Task A_store_that_throws_gets_451_and_the_session_goes_on()
    {
        int calls = 0;
        await using var h = await InDataAsync(o => o.MessageStore = MessageStore.FromDelegate(async (_, _, body, ct) =>
        {
            calls++;
            await body.ReadAsync(ct);
            throw new IOException("disk full");
        }));
        await h.SendAsync("hello\r\n.\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("451 4.3.0"));
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            S: 250
            C: RCPT TO:<d@e.f>
            S: 250
            C: DATA
            S: 354
            C: again
            C: .
            S: 451 4.3.0
            C: QUIT
            S: 221
            """);
        Assert.That(calls, Is.EqualTo(2));
    }

    [Test]
    public async Task A_store_that_throws_before_reading_still_lets_the_session_drain_a_large_body()
    {
        await using var h = await InDataAsync(o => o.MessageStore = MessageStore.FromDelegate((_, _, _, _) => throw new InvalidOperationException("broken")));
        await h.SendAsync(string.Concat(Enumerable.Repeat(new string('x', 998) + "\r\n", 500)) + ".\r\n");
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("451 4.3.0"));
        Assert.That(await h.CommandAsync("NOOP"), Does.StartWith("250"));
    }

    [Test]
    public async Task A_store_rejection_is_sent_as_the_stores_reply()
    {
        await using var h = await InDataAsync(o => o.MessageStore = MessageStore.FromDelegate((_, _, _, _) => ValueTask.FromResult(SmtpResult.Reject(554, "5.7.1", "Spam"))));
        await h.SendAsync("buy now\r\n.\r\n");
        Assert.That(await h.ReadReplyAsync(), Is.EqualTo("554 5.7.1 Spam"));
    }

    [Test]
    public async Task The_reply_waits_for_the_store_to_complete()
    {
        var release = new TaskCompletionSource();
        await using var h = await InDataAsync(o => o.MessageStore = MessageStore.FromDelegate(async (_, _, body, ct) =>
        {
            while (true)
            {
                var read = await body.ReadAsync(ct);
                body.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }

            await release.Task;
            return SmtpResult.Accept();
        }));
        await h.SendAsync("x\r\n.\r\n");
        Task<string> reply = h.ReadReplyAsync();
        await Task.Delay(100);
        Assert.That(reply.IsCompleted, Is.False, "the 250 must not leave before the store completed");
        release.SetResult();
        Assert.That(await reply, Does.StartWith("250 2.0.0"));
    }

    [Test]
    public async Task A_connection_dropped_before_the_final_dot_stores_nothing()
    {
        Exception? seen = null;
        var h = await InDataAsync(o => o.MessageStore = MessageStore.FromDelegate(async (_, _, body, ct) =>
        {
            try
            {
                while (true)
                {
                    var read = await body.ReadAsync(ct);
                    body.AdvanceTo(read.Buffer.End);
                    if (read.IsCompleted)
                    {
                        return SmtpResult.Accept();
                    }
                }
            }
            catch (Exception ex)
            {
                seen = ex;
                throw;
            }
        }));
        await h.SendAsync("partial message\r\nwithout end");
        await h.CloseAsync();
        await h.Session.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(seen, Is.InstanceOf<EndOfStreamException>());
        await h.DisposeAsync();
    }

    [Test]
    public async Task Data_after_body_binarymime_is_rejected_with_503()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c> BODY=BINARYMIME"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("RCPT TO:<d@e.f>"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("DATA"), Does.StartWith("503 5.5.1"));
    }

    [Test]
    public async Task Smtputf8_addresses_are_accepted_with_the_parameter_and_refused_without_it()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("MAIL FROM:<jörg@exämple.de>"), Does.StartWith("553 5.6.7"));
        Assert.That(await h.CommandAsync("MAIL FROM:<ascii@example.de>"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("RCPT TO:<δοκιμή@παράδειγμα.δοκιμή>"), Does.StartWith("553 5.6.7"));
        Assert.That(await h.CommandAsync("RSET"), Does.StartWith("250"));
        await h.RunAsync("""
            C: MAIL FROM:<jörg@exämple.de> SMTPUTF8
            S: 250 2.1.0
            C: RCPT TO:<δοκιμή@παράδειγμα.δοκιμή>
            S: 250 2.1.5
            C: DATA
            S: 354
            C: Subject: ünïcode
            C: .
            S: 250 2.0.0
            """);
        var message = h.Store.Messages.Single();
        Assert.That(message.Envelope.IsUtf8, Is.True);
        Assert.That(message.Envelope.From, Is.EqualTo("jörg@exämple.de"));
        Assert.That(message.Envelope.Recipients[0].Address, Is.EqualTo("δοκιμή@παράδειγμα.δοκιμή"));
        Assert.That(Encoding.UTF8.GetString(message.Body.Span), Is.EqualTo("Subject: ünïcode\r\n"));
    }

    [Test]
    public async Task Dsn_and_mail_parameters_arrive_in_the_envelope()
    {
        SmtpEnvelope? atMail = null;
        await using var h = new SessionHarness(o => o.MailboxFilter = MailboxFilter.FromDelegates(canAcceptFrom: (_, e, _) =>
        {
            atMail = e;
            return ValueTask.FromResult(SmtpResult.Accept());
        }));
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<> RET=HDRS ENVID=QQ+2Bid+3D1 SIZE=20 BODY=8BITMIME
            S: 250 2.1.0
            C: RCPT TO:<d@e.f> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;d+2Bx@e.f
            S: 250 2.1.5
            C: RCPT TO:<g@e.f> NOTIFY=NEVER
            S: 250 2.1.5
            C: DATA
            S: 354
            C: x
            C: .
            S: 250
            """);
        SmtpEnvelope envelope = h.Store.Messages.Single().Envelope;
        Assert.That(atMail, Is.SameAs(envelope));
        Assert.That(envelope.IsNullSender, Is.True);
        Assert.That(envelope.DsnReturn, Is.EqualTo(SmtpDsnReturn.Headers));
        Assert.That(envelope.DsnEnvelopeId, Is.EqualTo("QQ+id=1"));
        Assert.That(envelope.DeclaredSize, Is.EqualTo(20));
        Assert.That(envelope.BodyType, Is.EqualTo(SmtpBodyType.EightBitMime));
        Assert.That(envelope.Recipients[0].Notify, Is.EqualTo(SmtpDsnNotify.Success | SmtpDsnNotify.Delay));
        Assert.That(envelope.Recipients[0].OriginalRecipient, Is.EqualTo("rfc822;d+x@e.f"));
        Assert.That(envelope.Recipients[1].Notify, Is.EqualTo(SmtpDsnNotify.Never));
        Assert.That(envelope.Recipients[1].OriginalRecipient, Is.Null);
    }

    [Test]
    public async Task A_utf8_ORCPT_reaches_the_host_decoded_as_xtext_or_in_an_SMTPUTF8_transaction_as_UTF8()
    {
        // RFC 6533 §3: utf-8-addr-xtext anywhere; utf-8-addr-unitext (raw UTF-8) only after MAIL ... SMTPUTF8.
        await using var h = new SessionHarness();
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            S: 250
            C: RCPT TO:<d@e.f> ORCPT=utf-8;j\x{F6}rg@e.f
            S: 250 2.1.5
            C: RCPT TO:<g@e.f> ORCPT=utf-8;jörg@e.f
            S: 501 5.5.4
            C: RSET
            S: 250
            C: MAIL FROM:<a@b.c> SMTPUTF8
            S: 250
            C: RCPT TO:<d@e.f> ORCPT=utf-8;jörg@e.f
            S: 250 2.1.5
            C: DATA
            S: 354
            C: x
            C: .
            S: 250
            """);
        Assert.That(h.Store.Messages.Single().Envelope.Recipients.Single().OriginalRecipient, Is.EqualTo("utf-8;jörg@e.f"));
    }

    [Test]
    public async Task Invalid_dsn_parameters_are_refused()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c> RET=SOME"), Does.StartWith("501"));
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("RCPT TO:<d@e.f> NOTIFY=NEVER,SUCCESS"), Does.StartWith("501"));
    }

    [Test]
    public async Task A_mailbox_filter_that_throws_gets_451_and_the_session_goes_on()
    {
        await using var h = new SessionHarness(o => o.MailboxFilter = MailboxFilter.FromDelegates(canAcceptFrom: (_, _, _) => throw new InvalidOperationException("db down")));
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("451 4.3.0"));
        Assert.That(await h.CommandAsync("NOOP"), Does.StartWith("250"));
    }

    [Test]
    public async Task A_host_can_answer_a_transient_or_permanent_refusal_per_recipient()
    {
        await using var h = new SessionHarness(o => o.MailboxFilter = MailboxFilter.FromDelegates(canDeliverTo: (_, _, r, _) => ValueTask.FromResult(
            r.Address.StartsWith("later", StringComparison.Ordinal) ? SmtpResult.Reject(450, "4.2.1", "Mailbox busy")
            : r.Address.StartsWith("never", StringComparison.Ordinal) ? SmtpResult.Reject(550, "5.1.1", "No such user")
            : SmtpResult.Accept())));
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            C: RCPT TO:<later@b.c>
            C: RCPT TO:<never@b.c>
            C: RCPT TO:<ok@b.c>
            S: 250 2.1.0
            S: 450 4.2.1 Mailbox busy
            S: 550 5.1.1 No such user
            S: 250 2.1.5
            """);
    }
}
