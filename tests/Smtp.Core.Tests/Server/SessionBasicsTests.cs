using System.Text;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

public sealed class SessionBasicsTests
{
    [Test]
    public async Task Greeting_names_the_server_but_no_software_version()
    {
        await using var h = new SessionHarness();
        string greeting = await h.ReadReplyAsync();
        Assert.That(greeting, Is.EqualTo("220 mx.test ESMTP Service ready"));
    }

    [Test]
    public async Task Ehlo_advertises_the_extensions_with_the_size_limit()
    {
        await using var h = new SessionHarness(o => o.MaxMessageSize = 1000);
        await h.ReadReplyAsync();
        string reply = await h.CommandAsync("EHLO client.test");
        Assert.That(reply.Split('\n'), Is.EqualTo(new[]
        {
            "250-mx.test Hello client.test",
            "250-PIPELINING",
            "250-SIZE 1000",
            "250-8BITMIME",
            "250-BINARYMIME",
            "250-CHUNKING",
            "250-SMTPUTF8",
            "250-ENHANCEDSTATUSCODES",
            "250 DSN",
        }));
    }

    [Test]
    public async Task A_whole_transaction_is_stored_with_its_envelope_and_exact_body()
    {
        await using var h = new SessionHarness();
        await h.RunAsync("""
            S: 220 mx.test
            C: EHLO client.test
            S: 250-mx.test
            S: 250-PIPELINING
            S: 250-SIZE
            S: 250-8BITMIME
            S: 250-BINARYMIME
            S: 250-CHUNKING
            S: 250-SMTPUTF8
            S: 250-ENHANCEDSTATUSCODES
            S: 250 DSN
            C: MAIL FROM:<alice@example.org>
            S: 250 2.1.0
            C: RCPT TO:<bob@example.net>
            S: 250 2.1.5
            C: DATA
            S: 354
            C: Subject: hi
            C:
            C: ..leading dot
            C: body
            C: .
            S: 250 2.0.0
            C: QUIT
            S: 221 2.0.0
            S: <closed>
            """);
        var message = h.Store.Messages.Single();
        Assert.That(message.Envelope.From, Is.EqualTo("alice@example.org"));
        Assert.That(message.Envelope.Recipients.Select(r => r.Address), Is.EqualTo(new[] { "bob@example.net" }));
        Assert.That(Encoding.UTF8.GetString(message.Body.Span), Is.EqualTo("Subject: hi\r\n\r\n.leading dot\r\nbody\r\n"));
        Assert.That(message.ClientName, Is.EqualTo("client.test"));
    }

    [Test]
    public async Task Helo_gets_a_plain_250_without_extensions()
    {
        await using var h = new SessionHarness();
        await h.RunAsync("""
            S: 220
            C: HELO client.test
            S: 250 mx.test Hello client.test
            C: MAIL FROM:<a@b.c> SIZE=10
            S: 555 5.5.4
            C: MAIL FROM:<a@b.c>
            S: 250 2.1.0
            """);
    }

    [Test]
    public async Task Noop_rset_vrfy_help_expn_and_quit_have_their_replies()
    {
        await using var h = new SessionHarness();
        await h.RunAsync("""
            S: 220
            C: NOOP
            S: 250 2.0.0 OK
            C: RSET
            S: 250 2.0.0 OK
            C: VRFY bob
            S: 252 2.5.0
            C: EXPN list
            S: 502 5.5.1
            C: HELP
            S: 214 2.0.0
            C: QUIT
            S: 221 2.0.0 mx.test
            S: <closed>
            """);
    }

    [Test]
    public async Task Starttls_and_auth_are_answered_not_available()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("STARTTLS"), Does.StartWith("454 4.7.0"));
        Assert.That(await h.CommandAsync("AUTH PLAIN AGJvYgBzZWNyZXQ="), Does.StartWith("502 5.5.1"));
        Assert.That(await h.CommandAsync("NOOP"), Does.StartWith("250"));
    }
}
