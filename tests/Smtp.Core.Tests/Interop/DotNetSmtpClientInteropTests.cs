using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Interop;

/// <summary>
/// .NET's own System.Net.Mail.SmtpClient. It builds the MIME message itself (Date, boundaries), so the
/// expected bytes are what the recorder saw it send after DATA, unstuffed.
/// </summary>
[TestFixture]
[Category("Interop")]
public sealed class DotNetSmtpClientInteropTests : InteropTestBase
{
    private SmtpClient CreateClient() => new("127.0.0.1", Server.Port)
    {
        DeliveryMethod = SmtpDeliveryMethod.Network,
        EnableSsl = false,
        Timeout = (int)ToolTimeout.TotalMilliseconds,
    };

    private async Task AssertStoredAsSentAsync(int messages)
    {
        var sent = Server.Recorder.ClientBytes.SelectMany(b => SmtpWireRecorder.DataContents(b)).ToList();
        Assert.That(sent, Has.Count.EqualTo(messages), "messages the client sent");
        await MaildirAssert.HoldsExactlyAsync(Server.Maildir.Path, sent, DeliveryTimeout);
    }

    [Test]
    public async Task A_message_with_an_attachment_is_stored_as_sent()
    {
        using var client = CreateClient();
        using var message = new MailMessage("alice@example.org", "bob@example.com", "SmtpClient with attachment", "Hello from System.Net.Mail.\r\n.leading dot line\r\n");
        message.CC.Add("carol@example.net");
        var payload = Enumerable.Range(0, 50_000).Select(i => (byte)(i * 31)).ToArray();
        using var attachment = new Attachment(new MemoryStream(payload), "data.bin", MediaTypeNames.Application.Octet);
        message.Attachments.Add(attachment);

        await client.SendMailAsync(message);

        await AssertStoredAsSentAsync(1);
        var stored = Encoding.ASCII.GetString(await File.ReadAllBytesAsync(Directory.GetFiles(Server.Maildir.New).Single()));
        Assert.That(stored, Does.Contain("Subject: SmtpClient with attachment").And.Contain(Convert.ToBase64String(payload)[..60]));
    }

    [Test]
    public async Task Unicode_subject_and_body_and_several_messages_on_one_client_are_stored_as_sent()
    {
        using var client = CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var message = new MailMessage("alice@example.org", "bob@example.com")
            {
                Subject = $"Grüße #{i} — ✓",
                Body = $"Körper {i}: naïve café\r\n",
                SubjectEncoding = Encoding.UTF8,
                BodyEncoding = Encoding.UTF8,
            };
            await client.SendMailAsync(message);
        }

        await AssertStoredAsSentAsync(3);
    }
}
