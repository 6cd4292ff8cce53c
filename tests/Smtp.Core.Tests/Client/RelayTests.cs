using System.Net;
using System.Text;
using Smtp.Core.Client;
using Smtp.Core.Protocol;
using Smtp.Core.Server;
using Smtp.Core.Storage;

namespace Smtp.Core.Tests.Client;

/// <summary>
/// A relay host: it receives with <c>Smtp.Core.Server</c> and forwards with <c>Smtp.Core.Client</c>, in one file with
/// both namespaces imported and no aliases. This file only compiles while the two namespaces share no type name, and
/// its tests check that BODY and the DSN parameters cross from a received envelope to a sent one unchanged.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class RelayTests
{
    /// <summary>What a relay does with a received envelope: the same sender, recipients and MAIL/RCPT parameters.</summary>
    private static SmtpSendEnvelope ToSendEnvelope(SmtpEnvelope received)
        => new(received.From, received.Recipients.Select(ToSendRecipient))
        {
            BodyType = received.BodyType,
            SmtpUtf8 = received.IsUtf8,
            Return = received.DsnReturn,
            EnvelopeId = received.DsnEnvelopeId,
        };

    private static SmtpSendRecipient ToSendRecipient(SmtpRecipient received)
    {
        // The server keeps ORCPT as "addr-type;address" (RFC 3461 §4.2); a relay passes both parts on unchanged.
        string? orcpt = received.OriginalRecipient;
        int separator = orcpt?.IndexOf(';', StringComparison.Ordinal) ?? -1;
        return separator > 0
            ? new SmtpSendRecipient(received.Address, received.Notify, orcpt![(separator + 1)..], orcpt[..separator])
            : new SmtpSendRecipient(received.Address, received.Notify);
    }

    [Test]
    public void A_received_envelope_becomes_a_send_envelope_with_the_same_BODY_RET_ENVID_NOTIFY_and_ORCPT()
    {
        var received = new SmtpEnvelope("alice@example.org",
            [
                new SmtpRecipient("bob@example.net", SmtpDsnNotify.Success | SmtpDsnNotify.Delay, "rfc822;bob+old@example.net"),
                new SmtpRecipient("carol@example.net", SmtpDsnNotify.Never),
                new SmtpRecipient("dave@example.net"),
            ])
        {
            BodyType = SmtpBodyType.BinaryMime,
            IsUtf8 = true,
            DsnReturn = SmtpDsnReturn.Full,
            DsnEnvelopeId = "queue-id 42",
        };

        SmtpSendEnvelope send = ToSendEnvelope(received);

        Assert.That(send.Sender, Is.EqualTo("alice@example.org"));
        Assert.That(send.BodyType, Is.EqualTo(SmtpBodyType.BinaryMime));
        Assert.That(send.SmtpUtf8, Is.True);
        Assert.That(send.Return, Is.EqualTo(SmtpDsnReturn.Full));
        Assert.That(send.EnvelopeId, Is.EqualTo("queue-id 42"));
        Assert.That(send.Recipients.Select(r => r.Address), Is.EqualTo(new[] { "bob@example.net", "carol@example.net", "dave@example.net" }));
        Assert.That(send.Recipients.Select(r => r.Notify),
            Is.EqualTo(new[] { SmtpDsnNotify.Success | SmtpDsnNotify.Delay, SmtpDsnNotify.Never, SmtpDsnNotify.None }));
        Assert.That(send.Recipients.Select(r => r.OriginalRecipient), Is.EqualTo(new[] { "bob+old@example.net", null, null }));
        Assert.That(send.Recipients.Select(r => r.OriginalRecipientType), Is.EqualTo(new[] { "rfc822", null, null }));
    }

    [Test]
    public async Task A_message_relayed_through_a_server_and_the_client_reaches_the_next_server_with_its_BODY_and_DSN_parameters()
    {
        var delivered = new InMemoryMessageStore();
        await using var downstream = await StartServerAsync("downstream.test", delivered);
        int downstreamPort = downstream.LocalEndPoints[0].Port;

        // The relay's store forwards each message as it streams in, and answers with what the next hop said.
        var relayStore = MessageStore.FromDelegate(async (context, envelope, body, cancellationToken) =>
        {
            await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(downstreamPort), cancellationToken);
            SmtpSendResult forwarded = await client.SendAsync(ToSendEnvelope(envelope), SmtpMessageContent.FromPipeReader(body), cancellationToken);
            await client.QuitAsync(cancellationToken);
            return forwarded.AllAccepted ? SmtpResult.Accept() : SmtpResult.FromReply(forwarded.Recipients.First(r => !r.Accepted).FinalReply);
        });
        await using var relay = await StartServerAsync("relay.test", relayStore);

        byte[] message = Encoding.UTF8.GetBytes("From: alice@example.org\r\nSubject: relayed\r\n\r\nGrüße, 8-bit body.\r\n.dot line\r\n");
        var envelope = new SmtpSendEnvelope("alice@example.org",
            [
                new SmtpSendRecipient("bob@example.net", SmtpDsnNotify.Success | SmtpDsnNotify.Failure, "bob+tag@example.net"),
                new SmtpSendRecipient("carol@example.net", SmtpDsnNotify.Never, "c=us;a= ;p=example;s=carol", "x400"),
                "dave@example.net",
                new SmtpSendRecipient("erin@example.net", SmtpDsnNotify.Failure, "jörg+1@bücher.example"),
            ])
        {
            BodyType = SmtpBodyType.EightBitMime,
            Return = SmtpDsnReturn.Headers,
            EnvelopeId = "relay+id=1",
        };
        await using (var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(relay.LocalEndPoints[0].Port)))
        {
            var result = await client.SendAsync(envelope, SmtpMessageContent.FromBytes(message));
            Assert.That(result.AllAccepted, Is.True, string.Join("; ", result.Recipients));
            await client.QuitAsync();
        }

        StoredMessage stored = delivered.Messages.Single();
        Assert.That(stored.Body.ToArray(), Is.EqualTo(message));
        Assert.That(stored.Envelope.From, Is.EqualTo("alice@example.org"));
        Assert.That(stored.Envelope.BodyType, Is.EqualTo(SmtpBodyType.EightBitMime));
        Assert.That(stored.Envelope.DsnReturn, Is.EqualTo(SmtpDsnReturn.Headers));
        Assert.That(stored.Envelope.DsnEnvelopeId, Is.EqualTo("relay+id=1"));
        Assert.That(stored.Envelope.IsUtf8, Is.False);
        Assert.That(stored.Envelope.Recipients.Select(r => r.Address), Is.EqualTo(new[] { "bob@example.net", "carol@example.net", "dave@example.net", "erin@example.net" }));
        Assert.That(stored.Envelope.Recipients.Select(r => r.Notify),
            Is.EqualTo(new[] { SmtpDsnNotify.Success | SmtpDsnNotify.Failure, SmtpDsnNotify.Never, SmtpDsnNotify.None, SmtpDsnNotify.Failure }));

        // The utf-8 ORCPT crosses both hops as utf-8-addr-xtext (RFC 6533 §3) without SMTPUTF8, decoded for each host.
        Assert.That(stored.Envelope.Recipients.Select(r => r.OriginalRecipient),
            Is.EqualTo(new[] { "rfc822;bob+tag@example.net", "x400;c=us;a= ;p=example;s=carol", null, "utf-8;jörg+1@bücher.example" }), "ORCPT passed on as received (RFC 3461 §4.2)");
    }

    [TestCase("", TestName = "An empty ORCPT type is refused")]
    [TestCase("rfc 822", TestName = "An ORCPT type with a space is refused")]
    [TestCase("rfc822;x", TestName = "An ORCPT type with a semicolon is refused")]
    [TestCase("utf\u00e98", TestName = "A non-ASCII ORCPT type is refused")]
    public void An_ORCPT_type_that_is_not_an_atom_is_refused(string type)
        => Assert.That(() => new SmtpSendRecipient("a@example.org", SmtpDsnNotify.None, "a@example.org", System.Text.RegularExpressions.Regex.Unescape(type)), Throws.ArgumentException);

    [TestCase("jörg@example.org", null, @"utf-8;j\x{F6}rg@example.org", TestName = "A non-ASCII ORCPT is written as RFC 6533 utf-8-addr-xtext")]
    [TestCase("a+b=c\\d@example.org", "utf-8", @"utf-8;a\x{2B}b\x{3D}c\x{5C}d@example.org", TestName = "In a utf-8 ORCPT plus, equals and backslash are escaped as \\x{HEX}")]
    [TestCase("😀@example.org", null, @"utf-8;\x{1F600}@example.org", TestName = "A utf-8 ORCPT escapes a code point beyond the BMP whole")]
    [TestCase("a+b@example.org", null, "rfc822;a+b@example.org", TestName = "An ASCII ORCPT keeps the rfc822 type (the writer applies xtext)")]
    public void ORCPT_values_are_encoded_for_their_address_type(string address, string? type, string expected)
        => Assert.That(new SmtpSendRecipient("a@example.org", SmtpDsnNotify.None, address, type).OriginalRecipientParameter, Is.EqualTo(expected));

    [Test]
    public void A_non_ASCII_ORCPT_with_the_rfc822_type_is_refused()
        => Assert.That(() => new SmtpSendRecipient("a@example.org", SmtpDsnNotify.None, "jörg@example.org", "rfc822"), Throws.ArgumentException);

    [Test]
    public void An_ORCPT_longer_than_500_characters_on_the_wire_is_refused()
    {
        // 490 ASCII characters fit ("rfc822;" + 490 = 497); 170 "+" characters become 510 as xtext.
        Assert.That(() => new SmtpSendRecipient("a@example.org", SmtpDsnNotify.None, new string('a', 480) + "@example.o"), Throws.Nothing);
        Assert.That(() => new SmtpSendRecipient("a@example.org", SmtpDsnNotify.None, new string('+', 170) + "@example.org"), Throws.ArgumentException);
    }

    [Test]
    public void An_ORCPT_type_without_an_ORCPT_address_is_refused()
        => Assert.That(() => new SmtpSendRecipient("a@example.org", SmtpDsnNotify.None, null, "rfc822"), Throws.ArgumentException);

    private static async Task<SmtpServer> StartServerAsync(string name, IMessageStore store)
    {
        var options = new SmtpServerOptions
        {
            ServerName = name,
            MessageStore = store,
            CommandTimeout = TimeSpan.FromSeconds(15),
            DataTimeout = TimeSpan.FromSeconds(15),
            ShutdownGracePeriod = TimeSpan.FromSeconds(2),
        };
        options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)));
        var server = new SmtpServer(options);
        await server.StartAsync();
        return server;
    }
}
