using System.Text;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Interop;

/// <summary>swaks over SMTP: plain, pipelined, dot-stuffed and large messages.</summary>
[TestFixture]
[Category("Interop")]
[Platform(Include = "Linux,MacOsX")]
public sealed class SwaksInteropTests : SwaksTestBase
{
    private static readonly byte[] Plain = Encoding.ASCII.GetBytes(
        "From: sender@example.org\r\nTo: rcpt@example.com\r\nSubject: swaks plain\r\nMessage-ID: <swaks@example.org>\r\n\r\nBody line 1\r\nBody line 2\r\n");

    [Test]
    public async Task A_message_file_is_stored_byte_for_byte()
    {
        await SwaksAsync(Plain);
        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, AsStoredBySwaks(Plain), DeliveryTimeout);
    }

    [Test]
    public async Task A_pipelined_transaction_is_stored_byte_for_byte()
    {
        // RFC 2920: swaks --pipeline sends MAIL, RCPT and DATA in one write and fails if PIPELINING is not offered.
        var result = await SwaksAsync(Plain, "--pipeline");
        Assert.That(result.StandardOutput, Does.Contain("PIPELINING"));
        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, AsStoredBySwaks(Plain), DeliveryTimeout);
        // Pipelined: DATA was on the wire before the server's first reply to MAIL.
        var transcript = Server.Recorder.Transcript();
        var mail = transcript.IndexOf("C: MAIL FROM:<sender@example.org>", StringComparison.Ordinal);
        var data = transcript.IndexOf("C: DATA", mail + 1, StringComparison.Ordinal);
        var firstReplyAfterMail = transcript.IndexOf("S: ", mail + 1, StringComparison.Ordinal);
        Assert.That(mail, Is.GreaterThanOrEqualTo(0), transcript);
        Assert.That(data, Is.GreaterThan(mail).And.LessThan(firstReplyAfterMail), transcript);
    }

    [Test]
    public async Task Lines_starting_with_a_dot_survive_dot_stuffing_end_to_end()
    {
        // A lone "." would end DATA early if either side got stuffing wrong (RFC 5321 §4.5.2).
        var message = Encoding.ASCII.GetBytes("Subject: dots\r\n\r\n.\r\n..\r\n...\r\n.leading dot\r\n. \r\nend\r\n");
        await SwaksAsync(message);
        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, AsStoredBySwaks(message), DeliveryTimeout);
        Assert.That(Encoding.ASCII.GetString(Server.Recorder.ClientBytes.Single()), Does.Contain("\r\n..\r\n...\r\n....\r\n..leading dot\r\n"),
            "swaks stuffed the dots on the wire");
    }

    [Test]
    public async Task A_large_message_with_long_lines_is_stored_byte_for_byte()
    {
        // 2 MB in 998-octet lines, the longest RFC 5322 allows: exercises body reads across many segments.
        var builder = new StringBuilder("Subject: large\r\n\r\n");
        var line = new string('x', 998);
        while (builder.Length < 2_000_000)
        {
            builder.Append(line).Append("\r\n");
        }

        var message = Encoding.ASCII.GetBytes(builder.ToString());
        await SwaksAsync(message);
        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, AsStoredBySwaks(message), DeliveryTimeout);
    }
}
