using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

/// <summary>RFC 5321 §4.1.4: the order of commands, and 503 5.5.1 for commands out of order.</summary>
public sealed class SessionOrderingTests
{
    [TestCase("MAIL FROM:<a@b.c>")]
    [TestCase("RCPT TO:<a@b.c>")]
    [TestCase("DATA")]
    public async Task Transaction_commands_before_ehlo_are_rejected_with_503(string command)
    {
        await using var h = new SessionHarness();
        await h.ReadReplyAsync();
        Assert.That(await h.CommandAsync(command), Does.StartWith("503 5.5.1"));
    }

    [Test]
    public async Task Rcpt_before_mail_is_rejected_with_503()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("RCPT TO:<bob@example.net>"), Does.StartWith("503 5.5.1"));
    }

    [Test]
    public async Task Data_before_mail_is_rejected_with_503()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("DATA"), Does.StartWith("503 5.5.1"));
    }

    [Test]
    public async Task Data_without_an_accepted_recipient_is_rejected_with_554()
    {
        await using var h = new SessionHarness(o => o.MailboxFilter = Smtp.Core.Server.MailboxFilter.FromDelegates(
            canDeliverTo: (_, _, _, _) => ValueTask.FromResult(Smtp.Core.Server.SmtpResult.Reject(550, "5.1.1", "No such user"))));
        await h.RunAsync("""
            S: 220
            C: EHLO c.test
            S: 250-
            S: 250-
            S: 250-
            S: 250-
            S: 250-
            S: 250-
            S: 250-
            S: 250-
            S: 250 DSN
            C: MAIL FROM:<a@b.c>
            S: 250 2.1.0
            C: RCPT TO:<nobody@b.c>
            S: 550 5.1.1 No such user
            C: DATA
            S: 554 5.5.1
            """);
    }

    [Test]
    public async Task Nested_mail_is_rejected_with_503()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("250 2.1.0"));
        Assert.That(await h.CommandAsync("MAIL FROM:<d@e.f>"), Does.StartWith("503 5.5.1"));
    }

    [Test]
    public async Task Rset_ends_the_transaction()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("RCPT TO:<d@e.f>"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("RSET"), Is.EqualTo("250 2.0.0 OK"));
        Assert.That(await h.CommandAsync("RCPT TO:<d@e.f>"), Does.StartWith("503 5.5.1"));
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("250 2.1.0"));
    }

    [Test]
    public async Task Ehlo_in_a_transaction_resets_it()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("RCPT TO:<d@e.f>"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("EHLO again.test"), Does.StartWith("250-mx.test Hello again.test"));
        Assert.That(await h.CommandAsync("DATA"), Does.StartWith("503 5.5.1"));
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("250 2.1.0"));
    }

    [Test]
    public async Task Lhlo_is_refused_by_an_smtp_server()
    {
        await using var h = new SessionHarness();
        await h.ReadReplyAsync();
        Assert.That(await h.CommandAsync("LHLO c.test"), Does.StartWith("500 5.5.1"));
    }

    [Test]
    public async Task Unknown_and_malformed_commands_get_the_reasons_table_replies()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("FOO bar"), Does.StartWith("500 5.5.2"));
        Assert.That(await h.CommandAsync("MAIL FROM:alice"), Does.StartWith("501"));
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c> FOO=1"), Does.StartWith("555 5.5.4"));
        Assert.That(await h.CommandAsync("DATA now"), Does.StartWith("501 5.5.4"));
    }

    [Test]
    public async Task Every_reply_after_the_greeting_and_ehlo_carries_an_enhanced_status_code()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        string[] commands = ["NOOP", "MAIL FROM:<a@b.c>", "RCPT TO:<d@e.f>", "RSET", "VRFY x", "HELP", "FOO", "RCPT TO:<d@e.f>", "MAIL FROM:<bad", "QUIT"];
        foreach (string command in commands)
        {
            string reply = await h.CommandAsync(command);
            Assert.That(reply, Does.Match(@"^\d{3} [245]\.\d{1,3}\.\d{1,3} "), command);
        }
    }
}
