using System.Text;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Interop;

/// <summary>
/// curl's smtp:// support. With <c>--upload-file</c> curl sends the file as the message, doubling leading
/// dots and, because the file already ends in CRLF, adding only "." CRLF: the stored message is the file.
/// </summary>
[TestFixture]
[Category("Interop")]
[Platform(Include = "Linux,MacOsX")]
public sealed class CurlInteropTests : InteropTestBase
{
    private async Task CurlAsync(byte[] message, params string[] recipients)
    {
        var curl = ExternalTool.Require("curl");
        var arguments = new List<string>
        {
            "--silent", "--show-error", "--max-time", "30",
            $"smtp://127.0.0.1:{Server.Port}/curl.example", "--mail-from", "sender@example.org",
        };
        foreach (var recipient in recipients)
        {
            arguments.Add("--mail-rcpt");
            arguments.Add(recipient);
        }

        arguments.Add("--upload-file");
        arguments.Add(WriteMessageFile("curl.eml", message));
        (await ExternalTool.RunAsync(curl, arguments, ToolTimeout)).AssertSuccess();
    }

    [Test]
    public async Task An_uploaded_file_is_stored_byte_for_byte()
    {
        var message = Encoding.ASCII.GetBytes(
            "From: sender@example.org\r\nTo: rcpt@example.com\r\nSubject: curl\r\n\r\nuploaded with curl\r\n");
        await CurlAsync(message, "rcpt@example.com");
        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, message, DeliveryTimeout);
    }

    [Test]
    public async Task An_upload_to_several_recipients_with_dot_lines_is_stored_once_byte_for_byte()
    {
        var message = Encoding.ASCII.GetBytes("Subject: curl dots\r\n\r\n.\r\n.hidden\r\n..\r\ntrailer\r\n");
        await CurlAsync(message, "one@example.com", "two@example.com", "three@example.net");
        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, message, DeliveryTimeout);
        var clientSide = Encoding.ASCII.GetString(Server.Recorder.ClientBytes.Single());
        Assert.That(clientSide, Does.Contain("RCPT TO:<three@example.net>"));
        Assert.That(clientSide, Does.Contain("\r\n..\r\n..hidden\r\n...\r\n"), "curl stuffed the dots on the wire");
    }

    [Test]
    public async Task Eight_bit_content_is_stored_unchanged()
    {
        // curl offers no BODY=8BITMIME; the server stores the octets it was given either way.
        var message = Encoding.UTF8.GetBytes("Subject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nnaïve café ✓\r\n");
        await CurlAsync(message, "rcpt@example.com");
        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, message, DeliveryTimeout);
    }
}
