using System.Text;
using Smtp.Core.Client;
using Smtp.Core.Protocol;

namespace Smtp.Core.Tests.Client;

[TestFixture]
[CancelAfter(60_000)]
public sealed class ClientSendTests
{
    private static async Task GreetAsync(ScriptedSession s, params string[] keywords)
    {
        await s.SendAsync("220 scripted.test ESMTP\r\n");
        await s.ExpectAsync("EHLO client.test");
        await s.SendEhloAsync(keywords);
    }

    [Test]
    public async Task MAIL_and_every_RCPT_are_pipelined_in_one_batch_and_a_refused_recipient_does_not_stop_the_others()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING", "8BITMIME");

            // Every command of the batch must arrive before the server says anything (RFC 2920 §3.1).
            await s.ExpectAsync("MAIL FROM:<sender@example.org>");
            await s.ExpectAsync("RCPT TO:<a@example.org>");
            await s.ExpectAsync("RCPT TO:<b@example.org>");
            await s.ExpectAsync("RCPT TO:<c@example.org>");
            await s.SendAsync("250 2.1.0 Ok\r\n250 2.1.5 Ok a\r\n550 5.1.1 No such user b\r\n250 2.1.5 Ok c\r\n");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 Go ahead\r\n");
            byte[] data = await s.ReadDataAsync();
            Assert.That(Encoding.ASCII.GetString(data), Is.EqualTo("Subject: t\r\n\r\n..leading dot\r\nbody\r\n"));
            await s.SendAsync("250 2.0.0 Queued as 42\r\n");
            await s.ExpectAsync("QUIT");
            await s.SendAsync("221 bye\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var result = await client.SendAsync(
            new SmtpSendEnvelope("sender@example.org", "a@example.org", "b@example.org", "c@example.org"),
            ClientTestOptions.Message("Subject: t\r\n\r\n.leading dot\r\nbody\r\n"));
        await client.QuitAsync();
        await server.CompleteAsync();

        Assert.That(result.Recipients.Select(r => r.Recipient.Address), Is.EqualTo(new[] { "a@example.org", "b@example.org", "c@example.org" }));
        Assert.That(result.Recipients.Select(r => r.Accepted), Is.EqualTo(new[] { true, false, true }));
        Assert.That(result.Recipients[1].RcptReply.Code, Is.EqualTo(550));
        Assert.That(result.Recipients[1].RcptReply.EnhancedCode, Is.EqualTo("5.1.1"));
        Assert.That(result.Recipients[0].DeliveryReply?.Text, Is.EqualTo("Queued as 42"));
        Assert.That(result.AllAccepted, Is.False);
        Assert.That(result.AnyAccepted, Is.True);
    }

    [Test]
    public async Task Without_PIPELINING_each_command_waits_for_its_reply()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "8BITMIME");
            await s.ExpectAsync("MAIL FROM:<>");
            Assert.That(await s.ClientSendsMoreAsync(TimeSpan.FromMilliseconds(300)), Is.False, "RCPT sent before the MAIL reply");
            await s.SendAsync("250 Ok\r\n");
            await s.ExpectAsync("RCPT TO:<a@example.org>");
            Assert.That(await s.ClientSendsMoreAsync(TimeSpan.FromMilliseconds(300)), Is.False, "DATA sent before the RCPT reply");
            await s.SendAsync("250 Ok\r\n");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 Go ahead\r\n");
            await s.ReadDataAsync();
            await s.SendAsync("250 Ok\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var result = await client.SendAsync(new SmtpSendEnvelope("", "a@example.org"), ClientTestOptions.Message("x"));
        Assert.That(result.AllAccepted, Is.True);
        await server.CompleteAsync();
    }

    [Test]
    public async Task When_every_recipient_is_refused_no_DATA_is_sent_and_the_transaction_is_reset()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING");
            await s.ExpectAsync("MAIL");
            await s.ExpectAsync("RCPT");
            await s.ExpectAsync("RCPT");
            await s.SendAsync("250 Ok\r\n550 no\r\n451 4.3.0 later\r\n");
            await s.ExpectAsync("RSET");
            await s.SendAsync("250 Ok\r\n");

            // The connection is reused for the next message.
            await s.ExpectAsync("MAIL");
            await s.ExpectAsync("RCPT");
            await s.SendAsync("250 Ok\r\n250 Ok\r\n");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 Go ahead\r\n");
            await s.ReadDataAsync();
            await s.SendAsync("250 Ok\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var first = await client.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org", "b@example.org"), ClientTestOptions.Message("x"));
        Assert.That(first.AnyAccepted, Is.False);
        Assert.That(first.DataReply, Is.Null);
        Assert.That(first.Recipients[1].RcptReply.IsTransientFailure, Is.True);
        var second = await client.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org"), ClientTestOptions.Message("x"));
        Assert.That(second.AllAccepted, Is.True);
        await server.CompleteAsync();
        Assert.That(server.Sessions.Single().Commands.Count(c => c == "DATA"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_refused_MAIL_throws_a_command_exception_and_leaves_the_connection_usable()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING");
            await s.ExpectAsync("MAIL");
            await s.ExpectAsync("RCPT");
            await s.SendAsync("553 5.1.8 Bad sender\r\n503 5.5.1 need MAIL\r\n");
            await s.ExpectAsync("NOOP");
            await s.SendAsync("250 2.0.0 Ok\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var e = Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(new SmtpSendEnvelope("bad@example.org", "a@example.org"), ClientTestOptions.Message("x")));
        Assert.That(e!.Reply.Code, Is.EqualTo(553));
        Assert.That(e.Command, Is.EqualTo("MAIL"));
        Assert.That(client.IsConnected, Is.True);
        Assert.That(await client.CheckHealthAsync(), Is.True);
        await server.CompleteAsync();
    }

    [Test]
    public async Task BDAT_sends_the_content_in_chunks_unstuffed_with_the_last_marked_LAST()
    {
        byte[] message = Encoding.ASCII.GetBytes("Subject: c\r\n\r\n.dot stays single\r\nline two\r\n");
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING", "CHUNKING", "BINARYMIME", "SIZE 1000");
            await s.ExpectAsync($"MAIL FROM:<s@example.org> SIZE={message.Length} BODY=BINARYMIME");
            await s.ExpectAsync("RCPT");
            await s.SendAsync("250 Ok\r\n250 Ok\r\n");
            var received = new List<byte>();
            while (true)
            {
                string line = (await s.ReadLineAsync())!;
                Assert.That(line, Does.Match(@"^BDAT \d+( LAST)?$"));
                var parts = line.Split(' ');
                received.AddRange(await s.ReadBytesAsync(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)));
                if (parts.Length == 3)
                {
                    await s.SendAsync("250 2.0.0 Message accepted\r\n");
                    break;
                }

                await s.SendAsync($"250 2.0.0 {parts[1]} octets received\r\n");
            }

            Assert.That(received.ToArray(), Is.EqualTo(message));
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port, chunkSize: 16));
        var result = await client.SendAsync(
            new SmtpSendEnvelope("s@example.org", "a@example.org") { BodyType = SmtpBodyType.BinaryMime },
            SmtpMessageContent.FromStream(new MemoryStream(message)));
        Assert.That(result.AllAccepted, Is.True);
        await server.CompleteAsync();
        var bdats = server.Sessions.Single().Commands.Where(c => c.StartsWith("BDAT", StringComparison.Ordinal)).ToArray();
        Assert.That(bdats, Is.EqualTo(new[] { "BDAT 16", "BDAT 16", $"BDAT {message.Length - 32} LAST" }));
    }

    [Test]
    public async Task A_refused_BDAT_chunk_stops_the_data_resets_and_reports_the_refusal_per_recipient()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "CHUNKING");
            await s.ExpectAsync("MAIL");
            await s.SendAsync("250 Ok\r\n");
            await s.ExpectAsync("RCPT");
            await s.SendAsync("250 Ok\r\n");
            await s.ExpectAsync("BDAT 4");
            await s.ReadBytesAsync(4);
            await s.SendAsync("552 5.3.4 Too much\r\n");
            await s.ExpectAsync("RSET");
            await s.SendAsync("250 Ok\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port, chunkSize: 4));
        var result = await client.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org"), ClientTestOptions.Message("0123456789"));
        Assert.That(result.AnyAccepted, Is.False);
        Assert.That(result.Recipients[0].FinalReply.Code, Is.EqualTo(552));
        Assert.That(client.IsConnected, Is.True);
        await server.CompleteAsync();
    }

    [Test]
    public async Task A_message_larger_than_the_advertised_SIZE_is_refused_before_MAIL_is_sent()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING", "SIZE 100");
            await s.ExpectAsync("QUIT");
            await s.SendAsync("221 bye\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var e = Assert.ThrowsAsync<SmtpCapabilityException>(() =>
            client.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org"), ClientTestOptions.Message(new string('x', 101))));
        Assert.That(e!.Extension, Is.EqualTo("SIZE"));
        Assert.That(client.IsConnected, Is.True);
        await client.QuitAsync();
        await server.CompleteAsync();
    }

    [Test]
    public async Task SMTPUTF8_8BITMIME_and_BINARYMIME_needs_are_refused_before_MAIL_when_not_offered()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING", "8BITMIME");
            await s.ExpectAsync("QUIT");
            await s.SendAsync("221 bye\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var e = Assert.ThrowsAsync<SmtpCapabilityException>(() =>
            client.SendAsync(new SmtpSendEnvelope("s@example.org", "jörg@example.org"), ClientTestOptions.Message("x")));
        Assert.That(e!.Extension, Is.EqualTo("SMTPUTF8"));
        var e8 = Assert.ThrowsAsync<SmtpCapabilityException>(() =>
            client.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org") { BodyType = SmtpBodyType.BinaryMime }, ClientTestOptions.Message("x")));
        Assert.That(e8!.Extension, Is.EqualTo("BINARYMIME"));
        await using (var plain = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING");
            await s.ExpectAsync("QUIT");
            await s.SendAsync("221 bye\r\n");
        }))
        {
            await using var seven = await SmtpClient.ConnectAsync(ClientTestOptions.For(plain.Port));
            var e7 = Assert.ThrowsAsync<SmtpCapabilityException>(() =>
                seven.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org") { BodyType = SmtpBodyType.EightBitMime }, ClientTestOptions.Message("ü")));
            Assert.That(e7!.Extension, Is.EqualTo("8BITMIME"));
            await seven.QuitAsync();
            await plain.CompleteAsync();
        }

        await client.QuitAsync();
        await server.CompleteAsync();
    }

    [Test]
    public async Task SMTPUTF8_DSN_and_BODY_parameters_are_sent_when_offered()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING", "8BITMIME", "SMTPUTF8", "DSN");
            await s.ExpectAsync("MAIL FROM:<jörg@example.org> BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+2Bx");
            await s.ExpectAsync("RCPT TO:<a@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+2Bb@example.org");
            await s.ExpectAsync("RCPT TO:<b@example.org> NOTIFY=NEVER");
            await s.SendAsync("250 Ok\r\n250 Ok\r\n250 Ok\r\n");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 Go\r\n");
            await s.ReadDataAsync();
            await s.SendAsync("250 Ok\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var envelope = new SmtpSendEnvelope("jörg@example.org",
            [new SmtpSendRecipient("a@example.org", SmtpDsnNotify.Success | SmtpDsnNotify.Failure, "a+b@example.org"), new SmtpSendRecipient("b@example.org", SmtpDsnNotify.Never)])
        {
            BodyType = SmtpBodyType.EightBitMime,
            Return = SmtpDsnReturn.Headers,
            EnvelopeId = "id+x",
        };
        var result = await client.SendAsync(envelope, ClientTestOptions.Message("Subject: ü\r\n\r\nü\r\n"));
        Assert.That(result.AllAccepted, Is.True);
        await server.CompleteAsync();
    }

    [Test]
    public async Task BODY_8BITMIME_SIZE_RET_ENVID_NOTIFY_and_ORCPT_go_on_the_wire_exactly_as_RFC_3461_and_6152_spell_them()
    {
        byte[] message = Encoding.UTF8.GetBytes("Subject: dsn\r\n\r\nGrüße\r\n");
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING", "SIZE 100000", "8BITMIME", "DSN");
            for (int i = 0; i < 5; i++)
            {
                await s.ReadLineAsync();
            }

            await s.SendAsync("250 Ok\r\n250 Ok\r\n250 Ok\r\n250 Ok\r\n250 Ok\r\n");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 Go\r\n");
            Assert.That(await s.ReadDataAsync(), Is.EqualTo(message));
            await s.SendAsync("250 Ok\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var envelope = new SmtpSendEnvelope("s@example.org",
            [
                new SmtpSendRecipient("a@example.org", SmtpDsnNotify.Success | SmtpDsnNotify.Failure | SmtpDsnNotify.Delay, "a@example.org"),
                new SmtpSendRecipient("b@example.org", SmtpDsnNotify.Never),
                new SmtpSendRecipient("c@example.org", originalRecipient: "old=c+x@example.org"),
                new SmtpSendRecipient("d@example.org", SmtpDsnNotify.Delay),
            ])
        {
            BodyType = SmtpBodyType.EightBitMime,
            Return = SmtpDsnReturn.Full,
            EnvelopeId = "QQ314159 +=",
        };
        var result = await client.SendAsync(envelope, SmtpMessageContent.FromBytes(message));
        Assert.That(result.AllAccepted, Is.True);
        await server.CompleteAsync();

        // The whole pipelined batch, byte for byte: parameter order, xtext (RFC 3461 §4: "+" and "=" become +2B and
        // +3D, space +20), the NOTIFY list order of §4.1, and CRLF after every command.
        string wire = Encoding.UTF8.GetString(server.Sessions.Single().Received);
        Assert.That(wire, Does.Contain(
            $"MAIL FROM:<s@example.org> SIZE={message.Length} BODY=8BITMIME RET=FULL ENVID=QQ314159+20+2B+3D\r\n"
            + "RCPT TO:<a@example.org> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;a@example.org\r\n"
            + "RCPT TO:<b@example.org> NOTIFY=NEVER\r\n"
            + "RCPT TO:<c@example.org> ORCPT=rfc822;old+3Dc+2Bx@example.org\r\n"
            + "RCPT TO:<d@example.org> NOTIFY=DELAY\r\n"
            + "DATA\r\n"));
    }

    [Test]
    public async Task Without_DSN_the_DSN_parameters_are_left_out_and_the_message_is_still_sent()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING", "8BITMIME");
            Assert.That(await s.ReadLineAsync(), Is.EqualTo("MAIL FROM:<s@example.org> BODY=8BITMIME"));
            Assert.That(await s.ReadLineAsync(), Is.EqualTo("RCPT TO:<a@example.org>"));
            await s.SendAsync("250 Ok\r\n250 Ok\r\n");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 Go\r\n");
            await s.ReadDataAsync();
            await s.SendAsync("250 Ok\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var envelope = new SmtpSendEnvelope("s@example.org", [new SmtpSendRecipient("a@example.org", SmtpDsnNotify.Failure, "a@example.org")])
        {
            BodyType = SmtpBodyType.EightBitMime,
            Return = SmtpDsnReturn.Headers,
            EnvelopeId = "id",
        };
        Assert.That((await client.SendAsync(envelope, ClientTestOptions.Message("x"))).AllAccepted, Is.True);
        await server.CompleteAsync();
    }

    [TestCase(SmtpBodyType.None, true, "MAIL FROM:<s@example.org>")]
    [TestCase(SmtpBodyType.SevenBit, true, "MAIL FROM:<s@example.org> BODY=7BIT")]
    [TestCase(SmtpBodyType.SevenBit, false, "MAIL FROM:<s@example.org>")]
    [TestCase(SmtpBodyType.None, false, "MAIL FROM:<s@example.org>")]
    public async Task BODY_7BIT_is_sent_only_when_asked_for_and_the_server_offers_8BITMIME(SmtpBodyType body, bool offers8BitMime, string expectedMail)
    {
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, offers8BitMime ? ["PIPELINING", "8BITMIME"] : ["PIPELINING"]);
            Assert.That(await s.ReadLineAsync(), Is.EqualTo(expectedMail));
            await s.ExpectAsync("RCPT");
            await s.SendAsync("250 Ok\r\n250 Ok\r\n");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 Go\r\n");
            await s.ReadDataAsync();
            await s.SendAsync("250 Ok\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        var result = await client.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org") { BodyType = body }, ClientTestOptions.Message("x"));
        Assert.That(result.AllAccepted, Is.True);
        await server.CompleteAsync();
    }

    [Test]
    public void Values_that_are_not_BODY_RET_or_NOTIFY_keywords_are_refused_when_the_envelope_is_built()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SmtpSendEnvelope("s@example.org", "a@example.org") { BodyType = (SmtpBodyType)42 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SmtpSendEnvelope("s@example.org", "a@example.org") { Return = (SmtpDsnReturn)7 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SmtpSendRecipient("a@example.org", (SmtpDsnNotify)16));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SmtpSendRecipient("a@example.org", SmtpDsnNotify.Failure | (SmtpDsnNotify)32));
        Assert.Throws<ArgumentException>(() => _ = new SmtpSendRecipient("a@example.org", SmtpDsnNotify.Never | SmtpDsnNotify.Failure));
        Assert.That(new SmtpSendRecipient("a@example.org", SmtpDsnNotify.Success | SmtpDsnNotify.Failure | SmtpDsnNotify.Delay).Notify,
            Is.EqualTo(SmtpDsnNotify.Success | SmtpDsnNotify.Failure | SmtpDsnNotify.Delay));
    }

    [Test]
    public async Task EHLO_refused_with_502_falls_back_to_HELO_without_extensions()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 old.test SMTP\r\n");
            await s.ExpectAsync("EHLO client.test");
            await s.SendAsync("502 5.5.2 Command not recognized\r\n");
            await s.ExpectAsync("HELO client.test");
            await s.SendAsync("250 old.test\r\n");
            await s.ExpectAsync("MAIL FROM:<s@example.org>");
            await s.SendAsync("250 Ok\r\n");
            await s.ExpectAsync("RCPT");
            await s.SendAsync("250 Ok\r\n");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 Go\r\n");
            await s.ReadDataAsync();
            await s.SendAsync("250 Ok\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        Assert.That(client.Capabilities.IsExtended, Is.False);
        var result = await client.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org"), ClientTestOptions.Message("x"));
        Assert.That(result.AllAccepted, Is.True);
        await server.CompleteAsync();
    }

    [Test]
    public async Task LMTP_gives_each_accepted_recipient_its_own_reply_after_the_data()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 lmtp.test LMTP\r\n");
            await s.ExpectAsync("LHLO client.test");
            await s.SendEhloAsync("PIPELINING", "ENHANCEDSTATUSCODES");
            await s.ExpectAsync("MAIL");
            await s.ExpectAsync("RCPT TO:<a@");
            await s.ExpectAsync("RCPT TO:<b@");
            await s.ExpectAsync("RCPT TO:<c@");
            await s.SendAsync("250 Ok\r\n250 Ok\r\n550 5.1.1 unknown\r\n250 Ok\r\n");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 Go\r\n");
            await s.ReadDataAsync();
            await s.SendAsync("250 2.0.0 a delivered\r\n452 4.2.2 c over quota\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port, lmtp: true));
        var result = await client.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org", "b@example.org", "c@example.org"), ClientTestOptions.Message("x"));
        Assert.That(result.Recipients.Select(r => r.FinalReply.Code), Is.EqualTo(new[] { 250, 550, 452 }));
        Assert.That(result.Recipients.Select(r => r.Accepted), Is.EqualTo(new[] { true, false, false }));
        await server.CompleteAsync();
    }

    [Test]
    public void CR_LF_or_NUL_in_an_address_is_refused_before_anything_is_written()
    {
        Assert.Throws<ArgumentException>(() => _ = new SmtpSendEnvelope("s@example.org\r\nRCPT TO:<x@y>", "a@example.org"));
        Assert.Throws<ArgumentException>(() => _ = new SmtpSendEnvelope("s@example.org", "a@example.org\n"));
        Assert.Throws<ArgumentException>(() => _ = new SmtpSendRecipient("a\0@example.org"));
        Assert.Throws<ArgumentException>(() => _ = new SmtpSendRecipient("a@example.org> NOTIFY=NEVER"));
        Assert.Throws<ArgumentException>(() => _ = new SmtpSendEnvelope("s@example.org", "a@example.org") { EnvelopeId = "x\r\nQUIT" });
        Assert.Throws<ArgumentException>(() => _ = new SmtpClientPool(new SmtpClientOptions { Host = "127.0.0.1", ClientName = "evil\r\nMAIL FROM:<x>" }, 1));
    }

    [Test]
    public async Task BDAT_with_content_an_exact_multiple_of_the_chunk_size_ends_with_BDAT_0_LAST_and_LMTP_replies_per_recipient()
    {
        await using var server = new ScriptedServer(async s =>
        {
            await s.SendAsync("220 lmtp.test LMTP\r\n");
            await s.ExpectAsync("LHLO");
            await s.SendEhloAsync("CHUNKING", "PIPELINING");
            await s.ExpectAsync("MAIL");
            await s.ExpectAsync("RCPT");
            await s.ExpectAsync("RCPT");
            await s.SendAsync("250 Ok\r\n250 Ok\r\n250 Ok\r\n");
            await s.ExpectAsync("BDAT 8");
            Assert.That(Encoding.ASCII.GetString(await s.ReadBytesAsync(8)), Is.EqualTo("abcdefgh"));
            await s.SendAsync("250 Ok\r\n");
            await s.ExpectAsync("BDAT 0 LAST");
            await s.SendAsync("250 2.0.0 first ok\r\n550 5.2.1 second disabled\r\n");
            await s.ExpectAsync("NOOP");
            await s.SendAsync("250 Ok\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port, lmtp: true, chunkSize: 8));
        var result = await client.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org", "b@example.org"),
            SmtpMessageContent.FromStream(new MemoryStream(Encoding.ASCII.GetBytes("abcdefgh"))));
        Assert.That(result.Recipients.Select(r => r.FinalReply.Code), Is.EqualTo(new[] { 250, 550 }));
        Assert.That(await client.CheckHealthAsync(), Is.True);
        await server.CompleteAsync();
    }

    [Test]
    public async Task Stream_content_is_sent_once_and_a_second_send_of_it_is_refused_before_anything_is_written()
    {
        var content = SmtpMessageContent.FromStream(new MemoryStream(Encoding.ASCII.GetBytes("x")));
        await using var server = new ScriptedServer(async s =>
        {
            await GreetAsync(s, "PIPELINING");
            await s.ExpectAsync("MAIL");
            await s.ExpectAsync("RCPT");
            await s.SendAsync("250 Ok\r\n250 Ok\r\n");
            await s.ExpectAsync("DATA");
            await s.SendAsync("354 Go\r\n");
            await s.ReadDataAsync();
            await s.SendAsync("250 Ok\r\n");
            await s.ExpectAsync("NOOP");
            await s.SendAsync("250 Ok\r\n");
        });

        await using var client = await SmtpClient.ConnectAsync(ClientTestOptions.For(server.Port));
        Assert.That((await client.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org"), content)).AllAccepted, Is.True);
        Assert.ThrowsAsync<InvalidOperationException>(() => client.SendAsync(new SmtpSendEnvelope("s@example.org", "a@example.org"), content));
        Assert.That(await client.CheckHealthAsync(), Is.True, "nothing was written for the refused send");
        await server.CompleteAsync();
    }
}
