using System.Text;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Interop;

/// <summary>Python's smtplib (standard library) sending prepared messages as bytes.</summary>
[TestFixture]
[Category("Interop")]
[Platform(Include = "Linux,MacOsX")]
public sealed class PythonSmtplibInteropTests : InteropTestBase
{
    private static string Script => Path.Combine(TestContext.CurrentContext.TestDirectory, "Interop", "scripts", "smtplib_send.py");

    private async Task SendAsync(string file, string sender, IEnumerable<string> recipients, params string[] extra)
    {
        var python = ExternalTool.Require("python3");
        var arguments = new List<string> { Script, "127.0.0.1", Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--sender", sender, "--file", file };
        foreach (var recipient in recipients)
        {
            arguments.Add("--to");
            arguments.Add(recipient);
        }

        arguments.AddRange(extra);
        (await ExternalTool.RunAsync(python, arguments, ToolTimeout)).AssertSuccess();
    }

    [Test]
    public async Task A_message_sent_as_bytes_is_stored_byte_for_byte()
    {
        // Bytes ending in CRLF with no line starting with '.': smtplib puts them on the wire unchanged.
        var message = Encoding.ASCII.GetBytes(
            "From: Alice <alice@example.org>\r\nTo: Bob <bob@example.com>\r\nSubject: smtplib plain\r\n"
            + "Message-ID: <smtplib-plain@example.org>\r\n\r\nHello from Python.\r\n\r\n  indented line\r\n\ttab line\r\nlast line\r\n");
        await SendAsync(WriteMessageFile("plain.eml", message), "alice@example.org", ["bob@example.com"]);

        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, message, DeliveryTimeout);
    }

    [Test]
    public async Task A_message_to_several_recipients_is_accepted_for_all_and_stored_once()
    {
        var message = Encoding.ASCII.GetBytes(
            "From: alice@example.org\r\nTo: undisclosed-recipients:;\r\nSubject: several\r\n\r\nOne copy, three recipients.\r\n");
        await SendAsync(WriteMessageFile("several.eml", message), "alice@example.org",
            ["bob@example.com", "carol@example.net", "dave@sub.example.org"]);

        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, message, DeliveryTimeout);
        var clientSide = Encoding.ASCII.GetString(Server.Recorder.ClientBytes.Single());
        Assert.That(clientSide, Does.Contain("TO:<carol@example.net>").IgnoreCase, "all recipients went through the recorder");
    }

    [Test]
    public async Task Several_messages_over_one_session_are_each_stored()
    {
        var message = Encoding.ASCII.GetBytes("Subject: repeated\r\n\r\nsame bytes each time\r\n");
        await SendAsync(WriteMessageFile("repeat.eml", message), "a@example.org", ["b@example.com"], "--count", "5");

        await MaildirAssert.HoldsExactlyAsync(Server.Maildir.Path, Enumerable.Repeat(message, 5).ToList(), DeliveryTimeout);
        Assert.That(Server.Recorder.ClientBytes, Has.Count.EqualTo(1), "one session");
    }

    [Test]
    public async Task An_smtputf8_message_with_utf8_addresses_and_body_is_stored_byte_for_byte()
    {
        // RFC 6531: with SMTPUTF8 on MAIL FROM, addresses and headers may carry UTF-8 as is.
        var message = Encoding.UTF8.GetBytes(
            "From: Jörg Müller <jörg@bücher.example>\r\nTo: 用户 <用户@例子.example>\r\nSubject: Grüße, 你好, привет\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + "Ünïcödé body: ½ € 😀\r\n");
        await SendAsync(WriteMessageFile("utf8.eml", message), "jörg@bücher.example", ["用户@例子.example"], "--smtputf8");

        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, message, DeliveryTimeout);
        var clientSide = Encoding.UTF8.GetString(Server.Recorder.ClientBytes.Single());
        Assert.That(clientSide, Does.Contain("FROM:<jörg@bücher.example>").And.Contain("SMTPUTF8"));
    }

    [TestCase(false, @"ORCPT=utf-8;j\x{F6}rg\x{2B}1@b\x{FC}cher.example", TestName = "A utf-8 ORCPT from smtplib as utf-8-addr-xtext reaches the host decoded")]
    [TestCase(true, @"ORCPT=utf-8;jörg\x{2B}1@bücher.example", TestName = "A utf-8 ORCPT from smtplib as raw UTF-8 under SMTPUTF8 reaches the host decoded")]
    public async Task Utf8_orcpt_from_smtplib(bool smtpUtf8, string orcpt)
    {
        // RFC 6533 §3 and RFC 3461 §4: smtplib puts the RCPT parameters on the wire as given ("+" is escaped in both
        // forms, as QCHAR excludes it). The shared interop
        // server stores to a Maildir, which keeps no envelope, so this one keeps messages in memory.
        var store = new Smtp.Core.Storage.InMemoryMessageStore();
        var options = new Smtp.Core.Server.SmtpServerOptions { ServerName = "mx.test", MessageStore = store };
        options.Endpoints.Add(new Smtp.Core.Server.SmtpEndpoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0)));
        await using var server = new Smtp.Core.Server.SmtpServer(options);
        await server.StartAsync();

        var python = ExternalTool.Require("python3");
        var file = WriteMessageFile("orcpt.eml", Encoding.ASCII.GetBytes("Subject: orcpt\r\n\r\nbody\r\n"));
        var arguments = new List<string>
        {
            Script, "127.0.0.1", server.LocalEndPoints[0].Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--sender", "a@example.org", "--to", "bob@example.com", "--file", file, "--rcpt-option", "NOTIFY=FAILURE,DELAY", "--rcpt-option", orcpt,
        };
        if (smtpUtf8)
        {
            arguments.Add("--smtputf8");
        }

        (await ExternalTool.RunAsync(python, arguments, ToolTimeout)).AssertSuccess();

        var recipient = store.Messages.Single().Envelope.Recipients.Single();
        Assert.That(recipient.OriginalRecipient, Is.EqualTo("utf-8;jörg+1@bücher.example"));
        Assert.That(recipient.Notify, Is.EqualTo(Smtp.Core.Protocol.SmtpDsnNotify.Failure | Smtp.Core.Protocol.SmtpDsnNotify.Delay));
    }

    [Test]
    public async Task Leading_dots_are_stuffed_by_smtplib_and_unstuffed_by_the_server()
    {
        var message = Encoding.ASCII.GetBytes("Subject: dots\r\n\r\n.\r\n..\r\n.leading\r\n. space\r\nmiddle . dot\r\n.\r\n");
        await SendAsync(WriteMessageFile("dots.eml", message), "a@example.org", ["b@example.com"]);

        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, message, DeliveryTimeout);
    }

    [Test]
    public async Task An_eight_bit_body_declared_with_body_8bitmime_is_stored_byte_for_byte()
    {
        // RFC 6152: every octet value but NUL, CR and LF may appear in lines of an 8BITMIME body.
        var body = Enumerable.Range(0x80, 0x80).Select(b => (byte)b).Concat("\r\n"u8.ToArray());
        byte[] message = [.. "Subject: 8bit\r\nContent-Type: application/octet-stream\r\n\r\n"u8, .. body, .. "caf\u00e9\r\n"u8];
        await SendAsync(WriteMessageFile("8bit.eml", message), "a@example.org", ["b@example.com"], "--mail-option", "BODY=8BITMIME");

        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, message, DeliveryTimeout);
        Assert.That(Encoding.ASCII.GetString(Server.Recorder.ClientBytes.Single()), Does.Contain("BODY=8BITMIME"));
    }

    [Test]
    public async Task A_message_without_a_final_line_end_is_stored_with_the_crlf_smtplib_adds()
    {
        var message = Encoding.ASCII.GetBytes("Subject: unterminated\r\n\r\nno final newline");
        await SendAsync(WriteMessageFile("unterminated.eml", message), "a@example.org", ["b@example.com"]);

        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, [.. message, .. "\r\n"u8], DeliveryTimeout);
    }

    [Test]
    public async Task An_empty_message_is_stored_as_the_single_empty_line_smtplib_sends()
    {
        // smtplib sends CRLF "." CRLF for empty bytes: the content is one empty line.
        await SendAsync(WriteMessageFile("empty.eml", []), "a@example.org", ["b@example.com"]);

        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, "\r\n"u8.ToArray(), DeliveryTimeout);
    }

    [Test]
    public async Task A_body_line_far_over_1000_octets_is_stored_whole()
    {
        // RFC 5321 §4.5.3.1.6 limits text lines to 1000 octets, but like Postfix the server keeps what it is
        // given rather than refusing or folding it; this pins that behaviour down.
        byte[] message = [.. "Subject: long line\r\n\r\n"u8, .. Enumerable.Repeat((byte)'y', 100_000), .. "\r\nend\r\n"u8];
        await SendAsync(WriteMessageFile("long.eml", message), "a@example.org", ["b@example.com"]);

        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, message, DeliveryTimeout);
    }
}
