using System.Text;
using MailSend;
using Smtp.Core.Client;

namespace Smtp.Core.Tests.Client;

/// <summary>The MailSend sample, driven in-process against real servers.</summary>
[TestFixture]
[CancelAfter(120_000)]
[NonParallelizable]
public sealed class MailSendSampleTests
{
    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await MailSendCommand.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string MessageFile(ExternalServer server)
    {
        string file = Path.Combine(server.OutputDirectory, "message.eml");
        File.WriteAllText(file, "From: a@example.org\r\nTo: b@example.org\r\nSubject: MailSend\r\n\r\nHello.\r\n", Encoding.ASCII);
        return file;
    }

    [Test]
    public void Options_parse_every_flag()
    {
        var o = MailSendOptions.TryParse(
            ["--server", "[::1]:2525", "--from", "", "--to", "a@x", "--to", "b@x", "--tls", "starttls-if-offered", "--insecure",
             "--user", "u", "--password", "p", "--count", "30", "--connections", "4", "--lmtp", "msg.eml"], out string? error);
        Assert.That(error, Is.Null);
        Assert.That(o!.Host, Is.EqualTo("::1"));
        Assert.That(o.Port, Is.EqualTo(2525));
        Assert.That(o.From, Is.Empty);
        Assert.That(o.To, Is.EqualTo(new[] { "a@x", "b@x" }));
        Assert.That(o.Tls, Is.EqualTo(SmtpTlsMode.StartTlsWhenOffered));
        Assert.That((o.Insecure, o.User, o.Password, o.Count, o.Connections, o.Lmtp, o.File), Is.EqualTo((true, "u", "p", 30, 4, true, "msg.eml")));
        Assert.That(MailSendCommand.BuildClientOptions(o).RemoteCertificateValidation, Is.Not.Null);
    }

    [Test]
    public void Certificate_validation_is_only_skipped_with_insecure()
    {
        var o = MailSendOptions.TryParse(["--server", "h:25", "--from", "a@x", "--to", "b@x", "f"], out _);
        Assert.That(o!.Tls, Is.EqualTo(SmtpTlsMode.StartTlsRequired));
        Assert.That(MailSendCommand.BuildClientOptions(o).RemoteCertificateValidation, Is.Null);
    }

    [TestCase(new[] { "--server", "h", "--from", "a@x", "--to", "b@x", "f" }, "HOST:PORT")]
    [TestCase(new[] { "--server", "h:25", "--from", "a@x", "f" }, "required")]
    [TestCase(new[] { "--server", "h:25", "--from", "a@x", "--to", "b@x", "--tls", "maybe", "f" }, "--tls")]
    [TestCase(new[] { "--server", "h:25", "--from", "a@x", "--to", "b@x", "--count", "0", "f" }, "--count")]
    [TestCase(new[] { "--server", "h:25", "--from", "a@x", "--to", "b@x", "--user", "u", "f" }, "--password")]
    [TestCase(new[] { "--server", "h:25", "--from", "a@x", "--to", "b@x", "f", "g" }, "Only one FILE")]
    [TestCase(new[] { "--server", "h:25", "--from", "a@x", "--to", "b@x", "--bogus", "f" }, "Unknown option")]
    public async Task Bad_command_lines_exit_2_with_a_clear_message(string[] args, string expected)
    {
        var (exit, _, err) = await RunAsync(args);
        Assert.That(exit, Is.EqualTo(MailSendCommand.Usage));
        Assert.That(err, Does.Contain(expected));
    }

    [Test]
    public async Task Every_recipient_accepted_by_smtp_sink_exits_0_and_prints_each_result()
    {
        await using var sink = await ExternalServer.StartSmtpSinkAsync();
        var (exit, output, err) = await RunAsync("--server", $"127.0.0.1:{sink.Port}", "--from", "a@example.org",
            "--to", "b@example.org", "--to", "c@example.org", "--tls", "none", MessageFile(sink));
        Assert.That(exit, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("accepted b@example.org: 250").And.Contain("accepted c@example.org: 250"));
    }

    [Test]
    public async Task A_refused_recipient_exits_non_zero_naming_it()
    {
        await using var server = await ExternalServer.StartAiosmtpdAsync("--reject-rcpt", "c@example.org");
        var (exit, output, err) = await RunAsync("--server", $"127.0.0.1:{server.Port}", "--from", "a@example.org",
            "--to", "b@example.org", "--to", "c@example.org", "--tls", "none", MessageFile(server));
        Assert.That(exit, Is.EqualTo(MailSendCommand.RecipientsRefused));
        Assert.That(output, Does.Contain("accepted b@example.org").And.Contain("refused  c@example.org: 550"));
        Assert.That(err, Does.Contain("1 of 2 recipient(s) refused"));
    }

    [Test]
    public async Task StartTls_by_default_against_a_server_without_it_exits_with_a_security_error()
    {
        await using var sink = await ExternalServer.StartSmtpSinkAsync();
        var (exit, _, err) = await RunAsync("--server", $"127.0.0.1:{sink.Port}", "--from", "a@example.org", "--to", "b@example.org", MessageFile(sink));
        Assert.That(exit, Is.EqualTo(MailSendCommand.SecurityFailure));
        Assert.That(err, Does.Contain("STARTTLS"));
    }

    [Test]
    public async Task A_self_signed_certificate_fails_without_insecure_and_passes_with_it()
    {
        var (cert, key) = TestCertificate.PemFiles;
        await using var server = await ExternalServer.StartNodeSmtpServerAsync("--tls", cert, key, "--auth", "alice:pw");
        string[] common = ["--server", $"127.0.0.1:{server.Port}", "--from", "a@example.org", "--to", "b@example.org", "--user", "alice", "--password", "pw", MessageFile(server)];

        var (refusedExit, _, refusedErr) = await RunAsync(common);
        Assert.That(refusedExit, Is.EqualTo(MailSendCommand.SecurityFailure), refusedErr);

        var (exit, output, err) = await RunAsync(["--insecure", .. common]);
        Assert.That(exit, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("accepted b@example.org"));
        Assert.That(err, Does.Contain("--insecure"));
    }

    [Test]
    public async Task Count_and_connections_send_every_copy_over_a_pool_and_print_the_rate()
    {
        await using var sink = await ExternalServer.StartSmtpSinkAsync();
        var (exit, output, err) = await RunAsync("--server", $"127.0.0.1:{sink.Port}", "--from", "a@example.org", "--to", "b@example.org",
            "--tls", "none", "--count", "200", "--connections", "4", MessageFile(sink));
        Assert.That(exit, Is.EqualTo(0), err);
        Assert.That(output, Does.Match(@"sent 200 of 200 message\(s\) over 4 connection\(s\) in [\d.]+ s: \d+ messages/s; recipients accepted 200, refused 0; failed sends 0"));
    }

    [Test]
    public async Task A_server_that_is_not_there_exits_with_a_connection_error()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        string file = Path.GetTempFileName();
        try
        {
            var (exit, _, err) = await RunAsync("--server", $"127.0.0.1:{port}", "--from", "a@x.org", "--to", "b@x.org", "--tls", "none", file);
            Assert.That(exit, Is.EqualTo(MailSendCommand.ProtocolFailure));
            Assert.That(err, Does.Contain("Could not connect"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
