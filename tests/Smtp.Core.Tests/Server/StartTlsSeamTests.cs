using System.IO.Pipelines;
using Smtp.Core.Server;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

/// <summary>The STARTTLS seam (RFC 3207) with a fake upgrade that keeps the same pipes: what the TLS work will plug into.</summary>
public sealed class StartTlsSeamTests
{
    [Test]
    public async Task Without_an_upgrade_starttls_is_not_advertised_and_gets_454()
    {
        await using var h = new SessionHarness();
        await h.ReadReplyAsync();
        Assert.That(await h.CommandAsync("EHLO c.test"), Does.Not.Contain("STARTTLS"));
        Assert.That(await h.CommandAsync("STARTTLS"), Does.StartWith("454 4.7.0"));
    }

    [Test]
    public async Task Starttls_swaps_the_transport_discards_pipelined_plaintext_and_resets_the_session()
    {
        var upgrade = new FakeUpgrade();
        bool? secureAtMail = null;
        var senders = new List<string>();
        await using var h = new SessionHarness(o =>
        {
            o.TlsUpgrade = upgrade;
            o.MailboxFilter = MailboxFilter.FromDelegates(canAcceptFrom: (ctx, e, _) =>
            {
                secureAtMail = ctx.IsSecure;
                senders.Add(e.From);
                return ValueTask.FromResult(SmtpResult.Accept());
            });
        });
        await h.ReadReplyAsync();
        Assert.That(await h.CommandAsync("EHLO c.test"), Does.EndWith("250 STARTTLS"));
        Assert.That(await h.CommandAsync("MAIL FROM:<before@b.c>"), Does.StartWith("250"));

        // The injected MAIL must never run: it was sent in plaintext before the handshake.
        await h.SendAsync("STARTTLS\r\nMAIL FROM:<injected@b.c>\r\n");
        Assert.That(await h.ReadReplyAsync(), Is.EqualTo("220 2.0.0 Ready to start TLS"));
        await SessionLimitsTests.WaitUntilAsync(() => upgrade.Calls == 1);

        // RFC 3207 §4.2: the EHLO and the open transaction are forgotten.
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("503 5.5.1"));
        string ehlo = await h.CommandAsync("EHLO c.test");
        Assert.That(ehlo, Does.Not.Contain("STARTTLS"));
        Assert.That(await h.CommandAsync("MAIL FROM:<a@b.c>"), Does.StartWith("250"));
        Assert.That(secureAtMail, Is.True);
        Assert.That(await h.CommandAsync("STARTTLS"), Does.StartWith("503 5.5.1"));
        Assert.That(await h.CommandAsync("NOOP"), Is.EqualTo("250 2.0.0 OK"));
        Assert.That(senders, Is.EqualTo(new[] { "before@b.c", "a@b.c" }));
    }

    [Test]
    public async Task Starttls_before_ehlo_is_out_of_order()
    {
        await using var h = new SessionHarness(o => o.TlsUpgrade = new FakeUpgrade());
        await h.ReadReplyAsync();
        Assert.That(await h.CommandAsync("STARTTLS"), Does.StartWith("503 5.5.1"));
    }

    [Test]
    public async Task A_failed_handshake_closes_the_session()
    {
        await using var h = new SessionHarness(o => o.TlsUpgrade = new FakeUpgrade { Fail = true });
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("STARTTLS"), Does.StartWith("220 2.0.0"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
    }

    private sealed class FakeUpgrade : ITlsUpgrade
    {
        private int _calls;

        public bool Fail { get; init; }

        public int Calls => Volatile.Read(ref _calls);

        public ValueTask<IDuplexPipe> UpgradeAsync(IDuplexPipe transport, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Fail ? ValueTask.FromException<IDuplexPipe>(new IOException("handshake failed")) : ValueTask.FromResult(transport);
        }
    }
}
