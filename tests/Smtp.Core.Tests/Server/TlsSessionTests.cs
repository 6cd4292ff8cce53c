using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Smtp.Core.Server;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

public sealed class TlsSessionTests
{
    private static async Task GreetAsync(StreamSmtpClient client)
    {
        Assert.That(await client.ReadReplyAsync(), Does.StartWith("220 "));
        Assert.That(await client.CommandAsync("EHLO client.test"), Does.StartWith("250"));
    }

    [Test]
    public async Task Ehlo_offers_starttls_when_the_endpoint_has_a_certificate()
    {
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint());
        await h.Client.ReadReplyAsync();
        string ehlo = await h.Client.CommandAsync("EHLO client.test");
        Assert.That(ehlo.Split('\n'), Does.Contain("250-STARTTLS").Or.Contain("250 STARTTLS"));
    }

    [Test]
    public async Task Ehlo_does_not_offer_starttls_without_a_certificate_and_starttls_gets_454()
    {
        await using var h = new SessionHarness();
        await h.ReadReplyAsync();
        Assert.That(await h.CommandAsync("EHLO client.test"), Does.Not.Contain("STARTTLS"));
        Assert.That(await h.CommandAsync("STARTTLS"), Does.StartWith("454 4.7.0"));
        Assert.That(await h.CommandAsync("NOOP"), Does.StartWith("250"), "the session goes on in plaintext, as before");
    }

    [Test]
    public async Task Starttls_upgrades_the_session_and_forgets_everything_learned_before()
    {
        ISmtpSessionContext? seen = null;
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint(), o => o.MailboxFilter = MailboxFilter.FromDelegates(
            canAcceptFrom: (c, _, _) => { seen = c; return ValueTask.FromResult(SmtpResult.Accept()); }));
        await GreetAsync(h.Client);
        Assert.That(await h.Client.CommandAsync("MAIL FROM:<before@example.org>"), Does.StartWith("250"));
        Assert.That(await h.Client.CommandAsync("STARTTLS"), Is.EqualTo("220 2.0.0 Ready to start TLS"));
        await h.Client.StartTlsAsync("localhost");

        // RFC 3207 §4.2: the EHLO name and the open transaction are gone; a new EHLO is needed.
        Assert.That(await h.Client.CommandAsync("MAIL FROM:<after@example.org>"), Does.StartWith("503 5.5.1"));
        string ehlo = await h.Client.CommandAsync("EHLO client.test");
        Assert.That(ehlo, Does.StartWith("250-mx.test"));
        Assert.That(ehlo, Does.Not.Contain("STARTTLS"), "STARTTLS is not offered again under TLS");
        Assert.That(await h.Client.CommandAsync("MAIL FROM:<after@example.org>"), Does.StartWith("250"));
        Assert.That(await h.Client.CommandAsync("RCPT TO:<bob@example.net>"), Does.StartWith("250"));
        Assert.That(await h.Client.CommandAsync("DATA"), Does.StartWith("354"));
        Assert.That(await h.Client.CommandAsync("Subject: secret\r\n\r\nbody\r\n."), Does.StartWith("250"));
        Assert.That(await h.Client.CommandAsync("QUIT"), Does.StartWith("221"));

        Assert.That(seen, Is.Not.Null);
        Assert.That(seen!.IsSecure, Is.True);
        Assert.That(seen.Tls, Is.Not.Null);
        Assert.That(seen.Tls!.Protocol, Is.EqualTo(SslProtocols.Tls12).Or.EqualTo(SslProtocols.Tls13));
        Assert.That(seen.Tls.ServerName, Is.EqualTo("localhost"));
        Assert.That(seen.Tls.IsImplicit, Is.False);
        Assert.That(h.Client.ServerCertificate!.GetCertHashString(), Is.EqualTo(TestCertificates.Server.GetCertHashString()));
        Assert.That(h.Store.Messages, Has.Count.EqualTo(1));
        Assert.That(h.Store.Messages[0].Envelope.From, Is.EqualTo("after@example.org"));
    }

    [Test]
    public async Task Starttls_before_ehlo_is_out_of_order()
    {
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint());
        await h.Client.ReadReplyAsync();
        Assert.That(await h.Client.CommandAsync("STARTTLS"), Does.StartWith("503 5.5.1"));
        Assert.That(await h.Client.CommandAsync("EHLO client.test"), Does.StartWith("250"));
        Assert.That(await h.Client.CommandAsync("STARTTLS"), Does.StartWith("220 2.0.0"));
    }

    [Test]
    public async Task Shutdown_and_the_idle_timeout_answer_421_under_tls()
    {
        await using (var h = new TlsSessionHarness(TlsSessionHarness.Endpoint()))
        {
            await GreetAsync(h.Client);
            await h.Client.CommandAsync("STARTTLS");
            await h.Client.StartTlsAsync();
            await h.Client.CommandAsync("EHLO client.test");
            Task stop = h.Server.StopAsync();
            Assert.That(await h.Client.ReadReplyAsync(), Does.StartWith("421 4.3.2"));
            Assert.That(await h.Client.ServerClosedAsync(), Is.True);
            await stop;
        }

        await using (var h = new TlsSessionHarness(TlsSessionHarness.Endpoint(implicitTls: true)))
        {
            await h.Client.StartTlsAsync();
            await h.Client.ReadReplyAsync();
            await h.Client.CommandAsync("EHLO client.test");
            await Task.Delay(100);
            h.Time.Advance(h.Options.CommandTimeout + TimeSpan.FromSeconds(1));
            Assert.That(await h.Client.ReadReplyAsync(), Does.StartWith("421 4.4.2"));
            Assert.That(await h.Client.ServerClosedAsync(), Is.True);
        }
    }

    [Test]
    public async Task Lmtp_offers_starttls_after_lhlo()
    {
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint(), o => o.Lmtp = true);
        await h.Client.ReadReplyAsync();
        Assert.That(await h.Client.CommandAsync("LHLO client.test"), Does.Contain("STARTTLS"));
        Assert.That(await h.Client.CommandAsync("STARTTLS"), Does.StartWith("220 2.0.0"));
        await h.Client.StartTlsAsync();
        Assert.That(await h.Client.CommandAsync("LHLO client.test"), Does.Not.Contain("STARTTLS"));
    }

    [Test]
    public async Task A_second_starttls_is_answered_503()
    {
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint());
        await GreetAsync(h.Client);
        await h.Client.CommandAsync("STARTTLS");
        await h.Client.StartTlsAsync();
        await h.Client.CommandAsync("EHLO client.test");
        Assert.That(await h.Client.CommandAsync("STARTTLS"), Does.StartWith("503 5.5.1"));
        Assert.That(await h.Client.CommandAsync("NOOP"), Does.StartWith("250"), "still encrypted and usable");
    }

    [Test]
    public async Task Starttls_with_an_argument_is_answered_501_and_stays_plaintext()
    {
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint());
        await GreetAsync(h.Client);
        Assert.That(await h.Client.CommandAsync("STARTTLS now"), Does.StartWith("501 5.5.4"));
        Assert.That(await h.Client.CommandAsync("NOOP"), Does.StartWith("250"));
    }

    [Test]
    public async Task Commands_pipelined_after_starttls_are_never_executed_and_the_connection_closes()
    {
        int mailCalls = 0;
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint(), o => o.MailboxFilter = MailboxFilter.FromDelegates(
            canAcceptFrom: (_, _, _) => { Interlocked.Increment(ref mailCalls); return ValueTask.FromResult(SmtpResult.Accept()); }));
        await GreetAsync(h.Client);

        // CVE-2011-0411: a man in the middle appends plaintext commands to the client's STARTTLS in one packet.
        await h.Client.SendAsync("STARTTLS\r\nMAIL FROM:<attacker@example.org>\r\nRCPT TO:<victim@example.net>\r\n");
        Assert.That(await h.Client.ReadReplyAsync(), Does.StartWith("554 5.5.0"));
        Assert.That(await h.Client.ServerClosedAsync(), Is.True);
        await h.AssertSessionEndsAsync();
        Assert.That(mailCalls, Is.Zero);
        Assert.That(h.Store.Messages, Is.Empty);
    }

    [Test]
    public async Task Plaintext_sent_after_the_220_breaks_the_handshake_and_is_never_executed()
    {
        int mailCalls = 0;
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint(), o => o.MailboxFilter = MailboxFilter.FromDelegates(
            canAcceptFrom: (_, _, _) => { Interlocked.Increment(ref mailCalls); return ValueTask.FromResult(SmtpResult.Accept()); }));
        await GreetAsync(h.Client);
        Assert.That(await h.Client.CommandAsync("STARTTLS"), Does.StartWith("220"));
        await h.Client.SendAsync("MAIL FROM:<attacker@example.org>\r\nRCPT TO:<victim@example.net>\r\n");
        Assert.That(await h.Client.ServerClosedAsync(), Is.True, "no reply in plaintext, the handshake failed");
        await h.AssertSessionEndsAsync();
        Assert.That(mailCalls, Is.Zero);
    }

    [Test]
    public async Task Garbage_instead_of_a_client_hello_closes_the_connection_without_a_plaintext_reply()
    {
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint());
        await GreetAsync(h.Client);
        await h.Client.CommandAsync("STARTTLS");
        await h.Client.SendBytesAsync([0x16, 0x03, 0x01, 0x00, 0x05, 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0xff, 0xff, 0xff]);
        Assert.That(await h.Client.ServerClosedAsync(), Is.True);
        await h.AssertSessionEndsAsync();
    }

    [Test]
    public async Task A_client_that_closes_halfway_through_the_handshake_ends_the_session()
    {
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint());
        await GreetAsync(h.Client);
        await h.Client.CommandAsync("STARTTLS");

        // The first bytes of a TLS record header, then the connection goes away.
        await h.Client.SendBytesAsync([0x16, 0x03, 0x01]);
        await h.CloseAsync();
        Assert.That(await h.Client.ServerClosedAsync(), Is.True);
        await h.AssertSessionEndsAsync();
    }

    [Test]
    public async Task A_handshake_that_never_starts_times_out_on_the_server_clock()
    {
        var endpoint = TlsSessionHarness.Endpoint(tls: new SmtpTlsOptions { ServerCertificate = TestCertificates.Server, HandshakeTimeout = TimeSpan.FromSeconds(20) });
        await using var h = new TlsSessionHarness(endpoint);
        await GreetAsync(h.Client);
        await h.Client.CommandAsync("STARTTLS");
        await Task.Delay(100);
        Assert.That(h.Session.IsCompleted, Is.False, "waiting for the client hello");
        h.Time.Advance(TimeSpan.FromSeconds(21));
        Assert.That(await h.Client.ServerClosedAsync(), Is.True);
        await h.AssertSessionEndsAsync();
    }

    [Test]
    public async Task A_failed_handshake_does_not_affect_another_session_of_the_same_server()
    {
        var endpoint = TlsSessionHarness.Endpoint();
        await using var good = new TlsSessionHarness(endpoint);
        await using var bad = new TlsSessionHarness(endpoint, server: good.Server);
        await GreetAsync(good.Client);
        await GreetAsync(bad.Client);
        await good.Client.CommandAsync("STARTTLS");
        await bad.Client.CommandAsync("STARTTLS");
        await bad.Client.SendAsync("garbage garbage garbage\r\n");
        await good.Client.StartTlsAsync();
        Assert.That(await bad.Client.ServerClosedAsync(), Is.True);
        Assert.That(await good.Client.CommandAsync("EHLO client.test"), Does.StartWith("250"));
        Assert.That(await good.Client.CommandAsync("NOOP"), Does.StartWith("250"));
    }

    [Test]
    public async Task Implicit_tls_handshakes_before_the_greeting_and_never_offers_starttls()
    {
        ISmtpSessionContext? seen = null;
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint(implicitTls: true), o => o.MailboxFilter = MailboxFilter.FromDelegates(
            canAcceptFrom: (c, _, _) => { seen = c; return ValueTask.FromResult(SmtpResult.Accept()); }));
        await h.Client.StartTlsAsync("localhost");
        Assert.That(await h.Client.ReadReplyAsync(), Does.StartWith("220 mx.test"));
        string ehlo = await h.Client.CommandAsync("EHLO client.test");
        Assert.That(ehlo, Does.Not.Contain("STARTTLS"));
        Assert.That(await h.Client.CommandAsync("STARTTLS"), Does.StartWith("503 5.5.1"));
        Assert.That(await h.Client.CommandAsync("MAIL FROM:<a@example.org>"), Does.StartWith("250"));
        Assert.That(seen!.Tls!.IsImplicit, Is.True);
    }

    [Test]
    public async Task Implicit_tls_endpoint_closes_a_plaintext_client_without_a_greeting()
    {
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint(implicitTls: true));
        await h.Client.SendAsync("EHLO client.test\r\n");
        Assert.That(await h.Client.ServerClosedAsync(), Is.True);
        await h.AssertSessionEndsAsync();
    }

    [Test]
    public async Task An_implicit_tls_connection_beyond_the_limits_is_closed_without_plaintext()
    {
        var endpoint = TlsSessionHarness.Endpoint(implicitTls: true);
        await using var first = new TlsSessionHarness(endpoint, o => o.MaxConnections = 1);
        await first.Client.StartTlsAsync();
        Assert.That(await first.Client.ReadReplyAsync(), Does.StartWith("220"));
        await using var second = new TlsSessionHarness(endpoint, server: first.Server);
        Assert.That(await second.Client.ServerClosedAsync(), Is.True, "no 421 in plaintext on a TLS port");
        await second.AssertSessionEndsAsync();
    }

    [Test]
    public async Task An_endpoint_that_requires_tls_refuses_mail_until_starttls()
    {
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint(requireTls: true));
        await GreetAsync(h.Client);
        Assert.That(await h.Client.CommandAsync("MAIL FROM:<a@example.org>"), Is.EqualTo("530 5.7.0 Must issue a STARTTLS command first"));
        await h.Client.CommandAsync("STARTTLS");
        await h.Client.StartTlsAsync();
        await h.Client.CommandAsync("EHLO client.test");
        Assert.That(await h.Client.CommandAsync("MAIL FROM:<a@example.org>"), Does.StartWith("250"));
    }

    [Test]
    public async Task The_certificate_is_selected_by_the_sni_host_name()
    {
        ISmtpSessionContext? seen = null;
        var tls = new SmtpTlsOptions
        {
            ServerCertificate = TestCertificates.Server,
            ServerCertificateSelector = name => name == "other.test" ? TestCertificates.Other : null,
        };
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint(tls: tls), o => o.MailboxFilter = MailboxFilter.FromDelegates(
            canAcceptFrom: (c, _, _) => { seen = c; return ValueTask.FromResult(SmtpResult.Accept()); }));
        await GreetAsync(h.Client);
        await h.Client.CommandAsync("STARTTLS");
        await h.Client.StartTlsAsync("other.test");
        Assert.That(h.Client.ServerCertificate!.GetCertHashString(), Is.EqualTo(TestCertificates.Other.GetCertHashString()));
        await h.Client.CommandAsync("EHLO client.test");
        await h.Client.CommandAsync("MAIL FROM:<a@example.org>");
        Assert.That(seen!.Tls!.ServerName, Is.EqualTo("other.test"));
    }

    [Test]
    public async Task A_required_client_certificate_is_validated_and_exposed_on_the_context()
    {
        ISmtpSessionContext? seen = null;
        string? validated = null;
        var tls = new SmtpTlsOptions
        {
            ServerCertificate = TestCertificates.Server,
            ClientCertificateMode = SmtpClientCertificateMode.Require,
            ClientCertificateValidation = (_, certificate, _, _) =>
            {
                validated = certificate?.Subject;
                return certificate?.GetCertHashString() == TestCertificates.Client.GetCertHashString();
            },
        };
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint(tls: tls), o => o.MailboxFilter = MailboxFilter.FromDelegates(
            canAcceptFrom: (c, _, _) => { seen = c; return ValueTask.FromResult(SmtpResult.Accept()); }));
        await GreetAsync(h.Client);
        await h.Client.CommandAsync("STARTTLS");
        await h.Client.StartTlsAsync("localhost", TestCertificates.Client);
        await h.Client.CommandAsync("EHLO client.test");
        Assert.That(await h.Client.CommandAsync("MAIL FROM:<a@example.org>"), Does.StartWith("250"));
        Assert.That(validated, Is.EqualTo("CN=client.test"));
        Assert.That(seen!.Tls!.ClientCertificate!.GetCertHashString(), Is.EqualTo(TestCertificates.Client.GetCertHashString()));
    }

    [Test]
    public async Task A_required_client_certificate_that_is_missing_fails_the_handshake()
    {
        var tls = new SmtpTlsOptions { ServerCertificate = TestCertificates.Server, ClientCertificateMode = SmtpClientCertificateMode.Require };
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint(tls: tls));
        await GreetAsync(h.Client);
        await h.Client.CommandAsync("STARTTLS");
        try
        {
            await h.Client.StartTlsAsync("localhost");

            // TLS 1.3: the client may finish before the server refuses; the next read shows the close.
            await h.Client.SendAsync("EHLO client.test\r\n");
            Assert.That(await h.Client.ServerClosedAsync(), Is.True);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            // The server refused during the handshake.
        }

        await h.AssertSessionEndsAsync();
    }

    [Test]
    public async Task A_requested_client_certificate_is_optional()
    {
        var tls = new SmtpTlsOptions { ServerCertificate = TestCertificates.Server, ClientCertificateMode = SmtpClientCertificateMode.Request };
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint(tls: tls));
        await GreetAsync(h.Client);
        await h.Client.CommandAsync("STARTTLS");
        await h.Client.StartTlsAsync("localhost");
        Assert.That(await h.Client.CommandAsync("EHLO client.test"), Does.StartWith("250"));
    }

    [Test]
    public async Task A_client_limited_to_tls_1_1_cannot_connect()
    {
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint());
        await GreetAsync(h.Client);
        await h.Client.CommandAsync("STARTTLS");
        Assert.That(async () => await h.Client.StartTlsAsync("localhost", protocols: (SslProtocols)0x300), Throws.InstanceOf<Exception>());
        await h.AssertSessionEndsAsync();
    }

    [Test]
    public void Options_refuse_protocols_older_than_tls_1_2_and_tls_without_a_certificate()
    {
        var options = new SmtpServerOptions();
        options.Endpoints.Add(TlsSessionHarness.Endpoint(tls: new SmtpTlsOptions { ServerCertificate = TestCertificates.Server, EnabledProtocols = SslProtocols.Tls12 | (SslProtocols)0x300 }));
        Assert.That(() => new SmtpServer(options), Throws.ArgumentException);

        options = new SmtpServerOptions();
        options.Endpoints.Add(TlsSessionHarness.Endpoint(tls: new SmtpTlsOptions()));
        Assert.That(() => new SmtpServer(options), Throws.ArgumentException);

        options = new SmtpServerOptions();
        options.Endpoints.Add(new SmtpEndpoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0)) { ImplicitTls = true });
        Assert.That(() => new SmtpServer(options), Throws.ArgumentException);
    }

    [Test]
    public void Tls_options_load_a_pfx_file()
    {
        string directory = Directory.CreateTempSubdirectory("smtp-tls-").FullName;
        try
        {
            string path = TestCertificates.ExportServerPfx(directory, "secret");
            SmtpTlsOptions options = SmtpTlsOptions.FromPfxFile(path, "secret");
            Assert.That(options.ServerCertificate!.HasPrivateKey, Is.True);
            Assert.That(() => SmtpTlsOptions.FromPfxFile(path, "wrong"), Throws.InstanceOf<System.Security.Cryptography.CryptographicException>());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
