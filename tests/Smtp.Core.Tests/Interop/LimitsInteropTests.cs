using System.Globalization;
using System.Text;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Interop;

/// <summary>
/// What real clients see when they hit the server's limits and policies: the reply reaches them, they
/// report failure, and nothing is left in the Maildir (neither new/ nor tmp/).
/// </summary>
[TestFixture]
[Category("Interop")]
[Platform(Include = "Linux,MacOsX")]
public sealed class LimitsInteropTests : InteropTestBase
{
    private const int MaxMessageSize = 1000;

    private protected override void Configure(Smtp.Core.Server.SmtpServerOptions options)
    {
        options.MaxMessageSize = MaxMessageSize;
        options.MaxRecipients = 2;
    }

    private static byte[] Oversized()
    {
        var builder = new StringBuilder("Subject: too big\r\n\r\n");
        while (builder.Length <= 3 * MaxMessageSize)
        {
            builder.Append(new string('x', 70)).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(builder.ToString());
    }

    private string PortText => Server.Port.ToString(CultureInfo.InvariantCulture);

    private void AssertNothingStored()
    {
        Assert.That(Directory.GetFiles(Server.Maildir.New), Is.Empty, "new/");
        MaildirAssert.AssertTmpEmpty(Server.Maildir.Path);
    }

    [Test]
    public async Task Curl_declaring_a_size_over_the_limit_is_refused_at_mail_from_with_552()
    {
        // RFC 1870 §6.1: curl sends SIZE= because the server announced SIZE; the server refuses up front.
        var curl = ExternalTool.Require("curl");
        var result = await ExternalTool.RunAsync(curl,
            ["--silent", "--show-error", "--max-time", "30", $"smtp://127.0.0.1:{PortText}", "--mail-from", "a@example.org", "--mail-rcpt", "b@example.com",
             "--upload-file", WriteMessageFile("big.eml", Oversized())], ToolTimeout);

        Assert.That(result.ExitCode, Is.Not.Zero, result.Describe());
        Assert.That(Server.Recorder.Transcript(), Does.Contain("S: 552 5.3.4"));
        Assert.That(Server.Recorder.Transcript(), Does.Not.Contain("C: DATA"), "refused before DATA");
        AssertNothingStored();
    }

    [Test]
    public async Task Swaks_sending_an_oversized_body_without_size_gets_552_after_the_dot_and_nothing_is_stored()
    {
        var swaks = ExternalTool.Require("swaks");
        var result = await ExternalTool.RunAsync(swaks,
            ["--server", "127.0.0.1", "--port", PortText, "--from", "a@example.org", "--to", "b@example.com",
             "--data", "@" + WriteMessageFile("big.eml", Oversized()), "--timeout", "30"], ToolTimeout);

        Assert.That(result.ExitCode, Is.Not.Zero, result.Describe());
        Assert.That(result.StandardOutput, Does.Contain("552"));
        AssertNothingStored();
    }

    [Test]
    public async Task Smtplib_recipients_over_the_limit_are_refused_one_by_one_and_the_message_goes_to_the_rest()
    {
        var python = ExternalTool.Require("python3");
        var message = Encoding.ASCII.GetBytes("Subject: many recipients\r\n\r\nbody\r\n");
        var script = Path.Combine(TestContext.CurrentContext.TestDirectory, "Interop", "scripts", "smtplib_send.py");
        var result = await ExternalTool.RunAsync(python,
            [script, "127.0.0.1", PortText, "--sender", "a@example.org", "--to", "one@example.com", "--to", "two@example.com",
             "--to", "three@example.com", "--file", WriteMessageFile("m.eml", message)], ToolTimeout);

        // smtplib reports the refused recipient (RFC 5321 §4.5.3.1.8: 452 for too many recipients) and still sends.
        Assert.That(result.ExitCode, Is.EqualTo(1), result.Describe());
        Assert.That(result.StandardOutput, Does.Contain("three@example.com").And.Contain("452"));
        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, message, DeliveryTimeout);
    }

    [Test]
    public async Task Curl_uploading_a_file_with_bare_lf_line_ends_is_refused_and_nothing_is_stored()
    {
        // curl sends the file's bytes as they are; a bare LF is refused under the default
        // BareLineEndingPolicy.Reject (SMTP smuggling defence). curl --crlf is the way to send such a file.
        var curl = ExternalTool.Require("curl");
        var result = await ExternalTool.RunAsync(curl,
            ["--silent", "--show-error", "--max-time", "30", $"smtp://127.0.0.1:{PortText}", "--mail-from", "a@example.org", "--mail-rcpt", "b@example.com",
             "--upload-file", WriteMessageFile("lf.eml", "Subject: lf\n\nbody\n"u8.ToArray())], ToolTimeout);

        Assert.That(result.ExitCode, Is.Not.Zero, result.Describe());
        Assert.That(Server.Recorder.Transcript(), Does.Match(@"S: 5\d\d 5\.\d\.\d"));
        AssertNothingStored();
    }

    [Test]
    public async Task Curl_with_crlf_converts_lf_line_ends_and_the_message_is_stored()
    {
        var curl = ExternalTool.Require("curl");
        (await ExternalTool.RunAsync(curl,
            ["--silent", "--show-error", "--max-time", "30", "--crlf", $"smtp://127.0.0.1:{PortText}", "--mail-from", "a@example.org", "--mail-rcpt", "b@example.com",
             "--upload-file", WriteMessageFile("lf.eml", "Subject: lf\n\nbody\n.dot\n"u8.ToArray())], ToolTimeout)).AssertSuccess();

        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, "Subject: lf\r\n\r\nbody\r\n.dot\r\n"u8.ToArray(), DeliveryTimeout);
    }

    [Test]
    public async Task Smtplib_messages_at_the_size_limit_are_stored_and_one_octet_more_is_refused()
    {
        // smtplib declares SIZE=len(message) (RFC 1870): exactly the limit passes, one more is refused with 552.
        var python = ExternalTool.Require("python3");
        var script = Path.Combine(TestContext.CurrentContext.TestDirectory, "Interop", "scripts", "smtplib_send.py");
        byte[] atLimit = [.. "Subject: limit\r\n\r\n"u8, .. Enumerable.Repeat((byte)'z', MaxMessageSize - 20), .. "\r\n"u8];
        Assert.That(atLimit, Has.Length.EqualTo(MaxMessageSize));
        byte[] overLimit = [.. "Subject: limit\r\n\r\n"u8, .. Enumerable.Repeat((byte)'z', MaxMessageSize - 19), .. "\r\n"u8];

        (await ExternalTool.RunAsync(python,
            [script, "127.0.0.1", PortText, "--sender", "a@example.org", "--to", "b@example.com", "--file", WriteMessageFile("at.eml", atLimit)],
            ToolTimeout)).AssertSuccess();
        var refused = await ExternalTool.RunAsync(python,
            [script, "127.0.0.1", PortText, "--sender", "a@example.org", "--to", "b@example.com", "--file", WriteMessageFile("over.eml", overLimit)],
            ToolTimeout);

        Assert.That(refused.ExitCode, Is.EqualTo(1), refused.Describe());
        Assert.That(refused.StandardOutput, Does.Contain("552"));
        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, atLimit, DeliveryTimeout);
    }
}
