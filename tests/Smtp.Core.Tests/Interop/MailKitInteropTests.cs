using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Interop;

/// <summary>
/// MailKit's SmtpClient, the most used third-party .NET client. It pipelines, sends binary MIME parts with
/// BODY=BINARYMIME over BDAT when the server offers CHUNKING (RFC 3030), and formats the message itself, so
/// the expected bytes are what the recorder saw it send.
/// </summary>
[TestFixture]
[Category("Interop")]
public sealed class MailKitInteropTests : InteropTestBase
{
    private async Task<SmtpClient> ConnectAsync()
    {
        var client = new SmtpClient { Timeout = (int)ToolTimeout.TotalMilliseconds };
        await client.ConnectAsync("127.0.0.1", Server.Port, SecureSocketOptions.None);
        return client;
    }

    private async Task AssertStoredAsSentAsync(int messages)
    {
        var sent = Server.Recorder.ClientBytes.SelectMany(b => SmtpWireRecorder.DataContents(b)).ToList();
        Assert.That(sent, Has.Count.EqualTo(messages), "messages the client sent");
        await MaildirAssert.HoldsExactlyAsync(Server.Maildir.Path, sent, DeliveryTimeout);
    }

    private static MimeMessage Message(string subject, string body)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Alice", "alice@example.org"));
        message.To.Add(new MailboxAddress("Bob", "bob@example.com"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    [Test]
    public async Task Pipelined_data_messages_on_one_connection_are_stored_byte_for_byte()
    {
        using var client = await ConnectAsync();
        await client.SendAsync(Message("MailKit one", "First.\r\n.leading dot\r\n\r\n.\r\nend\r\n"));
        await client.SendAsync(Message("MailKit two", new string('m', 200_000) + "\r\n"));
        await client.DisconnectAsync(quit: true);

        await AssertStoredAsSentAsync(2);
        Assert.That(Server.Recorder.ClientBytes, Has.Count.EqualTo(1), "one connection");
    }

    [Test]
    public async Task A_binary_part_goes_over_bdat_with_binarymime_and_is_stored_byte_for_byte()
    {
        // Content-Transfer-Encoding: binary may hold NUL, bare CR and LF and unlimited lines (RFC 3030 §3),
        // which only BDAT can carry; MailKit then sends BODY=BINARYMIME and BDAT chunks.
        var payload = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 13 + (i >> 8))).ToArray();
        var part = new MimePart("application", "octet-stream")
        {
            Content = new MimeContent(new MemoryStream(payload)),
            ContentTransferEncoding = ContentEncoding.Binary,
            FileName = "raw.bin",
        };
        var message = Message("MailKit binary", "");
        message.Body = new Multipart("mixed") { new TextPart("plain") { Text = "binary attached\r\n" }, part };

        using var client = await ConnectAsync();
        Assert.That(client.Capabilities.HasFlag(SmtpCapabilities.Chunking) && client.Capabilities.HasFlag(SmtpCapabilities.BinaryMime), Is.True,
            "the server offers CHUNKING and BINARYMIME");
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);

        await AssertStoredAsSentAsync(1);
        var transcript = Server.Recorder.Transcript();
        Assert.That(transcript, Does.Contain("BODY=BINARYMIME").And.Contain("C: BDAT "), "MailKit used BDAT");
        var stored = await File.ReadAllBytesAsync(Directory.GetFiles(Server.Maildir.New).Single());
        Assert.That(stored.AsSpan().IndexOf(payload.AsSpan(0, 4096)), Is.GreaterThan(0), "the raw octets are in the stored message");
    }

    [Test]
    public async Task A_multipart_message_with_a_binary_attachment_is_stored_byte_for_byte()
    {
        var builder = new BodyBuilder { TextBody = "See attached.\r\n" };
        builder.Attachments.Add("data.bin", Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7)).ToArray(), new ContentType("application", "octet-stream"));
        var message = Message("MailKit attachment", "");
        message.Body = builder.ToMessageBody();
        message.Cc.Add(new MailboxAddress("Carol", "carol@example.net"));

        using var client = await ConnectAsync();
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);

        await AssertStoredAsSentAsync(1);
    }

    [Test]
    public async Task An_international_message_is_sent_with_smtputf8_and_stored_byte_for_byte()
    {
        // RFC 6531: MailKit uses SMTPUTF8 when an address needs it and the server offers it.
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Jörg", "jörg@bücher.example"));
        message.To.Add(new MailboxAddress("用户", "用户@例子.example"));
        message.Subject = "Grüße";
        message.Body = new TextPart("plain") { Text = "Ünïcödé ✓\r\n" };

        using var client = await ConnectAsync();
        Assert.That(client.Capabilities.HasFlag(SmtpCapabilities.UTF8), Is.True, "the server offers SMTPUTF8");
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);

        await AssertStoredAsSentAsync(1);
        var clientSide = Encoding.UTF8.GetString(Server.Recorder.ClientBytes.Single());
        Assert.That(clientSide, Does.Contain("FROM:<jörg@bücher.example>").And.Contain("SMTPUTF8"));
    }
}
