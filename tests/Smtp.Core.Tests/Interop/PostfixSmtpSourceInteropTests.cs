using System.Text;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Interop;

/// <summary>
/// Postfix's smtp-source load generator: many messages over parallel sessions (HELO, no pipelining).
/// It connects to the server directly, not through the recorder, to keep the relay out of the load.
/// </summary>
[TestFixture]
[Category("Interop")]
[Platform(Include = "Linux,MacOsX")]
public sealed class PostfixSmtpSourceInteropTests : InteropTestBase
{
    private string Target => $"127.0.0.1:{Server.ServerEndPoint.Port}";

    [Test]
    public async Task Three_hundred_generated_messages_over_five_sessions_are_all_stored()
    {
        var source = ExternalTool.Require("smtp-source");
        (await ExternalTool.RunAsync(source, ["-s", "5", "-m", "300", "-l", "2000", "-f", "a@example.org", "-t", "b@example.com", Target], ToolTimeout))
            .AssertSuccess();

        var files = await MaildirAssert.WaitForMessagesAsync(Server.Maildir.Path, 300, DeliveryTimeout);
        MaildirAssert.AssertTmpEmpty(Server.Maildir.Path);
        foreach (var file in files)
        {
            // smtp-source writes From/To/Date/Message-Id headers, a blank line, and about -l octets of
            // payload in CRLF-terminated lines of digits and X (the exact layout varies by version).
            var text = Encoding.ASCII.GetString(await File.ReadAllBytesAsync(file));
            Assert.That(text, Does.StartWith("From: <a@example.org>\r\nTo: <b@example.com>\r\n"), file);
            var body = text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
            Assert.That(body.Length, Is.InRange(2000, 2200), file);
            Assert.That(body, Does.Match("^([0-9X]+\r\n)+$"), file);
        }
    }

    [Test]
    public async Task A_preformatted_file_sent_over_persistent_sessions_is_stored_byte_for_byte_every_time()
    {
        // -F sends each line of the file followed by CRLF, doubles leading dots, and ends DATA with an
        // extra CRLF "." CRLF, so the stored message is the file's lines with CRLF plus one empty line.
        var source = ExternalTool.Require("smtp-source");
        var lines = new[] { "From: a@example.org", "To: b@example.com", "Subject: smtp-source -F", "", "body", ".", "..x", "end" };
        var file = WriteMessageFile("source.txt", Encoding.ASCII.GetBytes(string.Join("\n", lines) + "\n"));
        var expected = Encoding.ASCII.GetBytes(string.Concat(lines.Select(l => l + "\r\n")) + "\r\n");

        (await ExternalTool.RunAsync(source, ["-d", "-s", "4", "-m", "100", "-F", file, "-f", "a@example.org", "-t", "b@example.com", Target], ToolTimeout))
            .AssertSuccess();

        await MaildirAssert.HoldsExactlyAsync(Server.Maildir.Path, Enumerable.Repeat(expected, 100).ToList(), DeliveryTimeout);
    }

    [Test]
    public async Task Several_recipients_per_message_are_accepted()
    {
        var source = ExternalTool.Require("smtp-source");
        var result = await ExternalTool.RunAsync(source,
            ["-s", "2", "-m", "20", "-r", "5", "-l", "100", "-f", "a@example.org", "-t", "b@example.com", Target], ToolTimeout);
        result.AssertSuccess();
        Assert.That((await MaildirAssert.WaitForMessagesAsync(Server.Maildir.Path, 20, DeliveryTimeout)).Count, Is.EqualTo(20));
    }
}
