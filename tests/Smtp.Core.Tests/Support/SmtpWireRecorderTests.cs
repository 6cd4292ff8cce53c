using System.Text;

namespace Smtp.Core.Tests.Support;

/// <summary>The recorder's reading of a client's DATA, which the interop tests take as ground truth.</summary>
[TestFixture]
public sealed class SmtpWireRecorderTests
{
    private static string[] Contents(string wire) =>
        SmtpWireRecorder.DataContents(Encoding.ASCII.GetBytes(wire)).Select(Encoding.ASCII.GetString).ToArray();

    [Test]
    public void Data_content_is_unstuffed_and_ends_with_the_last_crlf()
    {
        var wire = "EHLO x\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\ndata\r\nSubject: s\r\n\r\n..dot\r\n...\r\nbare\nlf\r\n.\r\nQUIT\r\n";
        Assert.That(Contents(wire), Is.EqualTo(new[] { "Subject: s\r\n\r\n.dot\r\n..\r\nbare\nlf\r\n" }));
    }

    [Test]
    public void Each_transaction_on_a_connection_is_one_content_and_an_unfinished_one_is_none()
    {
        var wire = "DATA\r\none\r\n.\r\nRSET\r\nDATA\r\n.\r\nDATA\r\nunfinished\r\n";
        Assert.That(Contents(wire), Is.EqualTo(new[] { "one\r\n", "" }));
    }

    [Test]
    public void Commands_that_only_start_with_data_do_not_open_a_message()
    {
        Assert.That(Contents("DATAX\r\nx\r\n.\r\nNOOP DATA\r\n"), Is.Empty);
    }

    [Test]
    public void Bdat_chunks_are_joined_up_to_the_last_one_and_may_hold_crlf_dot_crlf()
    {
        var wire = "EHLO x\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nBDAT 7\r\nab\r\n.\r\nBDAT 3 LAST\r\ncd\nQUIT\r\n";
        Assert.That(Contents(wire), Is.EqualTo(new[] { "ab\r\n.\r\ncd\n" }));
    }

    [Test]
    public void A_bdat_transaction_reset_before_last_is_dropped()
    {
        Assert.That(Contents("BDAT 2\r\nxyRSET\r\nBDAT 0 LAST\r\n"), Is.EqualTo(new[] { "" }));
    }
}
