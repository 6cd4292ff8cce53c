using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Interop;

/// <summary>
/// The built samples/MailServer run as a process, as a user would: it prints where it listens, takes mail
/// from swaks into its Maildir, and exits 0 on SIGTERM; bad options and busy ports exit non-zero.
/// </summary>
[TestFixture]
[Category("Interop")]
[Platform(Include = "Linux,MacOsX")]
public sealed class MailServerProcessTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private DirectoryInfo _work = null!;

    [SetUp]
    public void CreateWorkDirectory() => _work = Directory.CreateTempSubdirectory("smtp-core-sample-");

    [TearDown]
    public void DeleteWorkDirectory() => _work.Delete(recursive: true);

    /// <summary>The sample's dll, copied next to the tests by the project reference.</summary>
    private static string SampleDll
    {
        get
        {
            var dll = Path.Combine(TestContext.CurrentContext.TestDirectory, "MailServer.dll");
            Assert.That(File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")), Is.True, $"{dll} and its runtimeconfig");
            return dll;
        }
    }

    private static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : ExternalTool.Require("dotnet");

    private static BackgroundProcess StartSample(params string[] arguments) => BackgroundProcess.Start(Dotnet, [SampleDll, .. arguments]);

    private static async Task<int> ListeningPortAsync(BackgroundProcess sample)
    {
        var line = await sample.WaitForLineAsync(l => l.StartsWith("Listening on 127.0.0.1:", StringComparison.Ordinal), StartTimeout);
        return int.Parse(line.AsSpan("Listening on 127.0.0.1:".Length).Trim(), CultureInfo.InvariantCulture);
    }

    [Test]
    public async Task The_sample_stores_a_message_from_swaks_and_exits_0_on_sigterm()
    {
        var swaks = ExternalTool.Require("swaks");
        var maildir = Path.Combine(_work.FullName, "maildir"); // does not exist yet: the sample creates it
        await using var sample = StartSample("--listen", "127.0.0.1:0", "--maildir", maildir);
        var port = await ListeningPortAsync(sample);
        Assert.That(port, Is.Not.Zero);
        Assert.That(sample.StandardOutput, Does.Contain(Path.Combine(maildir, "new")));

        var message = Encoding.ASCII.GetBytes("From: a@example.org\r\nTo: b@example.com\r\nSubject: sample\r\n\r\nvia the sample process\r\n.dot\r\n");
        var file = Path.Combine(_work.FullName, "message.eml");
        await File.WriteAllBytesAsync(file, message);
        (await ExternalTool.RunAsync(swaks,
            ["--server", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--from", "a@example.org", "--to", "b@example.com", "--data", "@" + file, "--timeout", "30"],
            TimeSpan.FromSeconds(60))).AssertSuccess();

        await sample.WaitForLineAsync(l => l.Contains(" stored <a@example.org> -> b@example.com: ", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        sample.Signal(BackgroundProcess.SIGTERM);
        Assert.That(await sample.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.Zero, sample.Describe());
        foreach (var sub in new[] { "tmp", "new", "cur" })
        {
            Assert.That(Directory.Exists(Path.Combine(maildir, sub)), Is.True, sub);
        }

        // swaks ends DATA with CRLF "." CRLF after the file: one more CRLF than the file.
        await MaildirAssert.HoldsSingleAsync(maildir, [.. message, .. "\r\n"u8], TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task Every_message_from_smtp_source_over_concurrent_and_one_shot_sessions_lands_in_the_maildir()
    {
        // The sample runs every session on one socket thread with inline completions (see its Program.cs): many
        // sessions at once, connection churn and Maildir fsyncs must all get through that single event loop.
        var source = ExternalTool.Require("smtp-source");
        var maildir = Path.Combine(_work.FullName, "maildir");
        await using var sample = StartSample("--listen", "127.0.0.1:0", "--maildir", maildir, "--max-connections-per-address", "200");
        var target = "127.0.0.1:" + (await ListeningPortAsync(sample)).ToString(CultureInfo.InvariantCulture);

        (await ExternalTool.RunAsync(source, ["-d", "-s", "10", "-m", "200", "-l", "3000", "-f", "a@example.org", "-t", "b@example.com", target],
            TimeSpan.FromSeconds(120))).AssertSuccess();
        (await ExternalTool.RunAsync(source, ["-s", "100", "-m", "100", "-l", "500", "-f", "a@example.org", "-t", "b@example.com", target],
            TimeSpan.FromSeconds(120))).AssertSuccess();

        var files = await MaildirAssert.WaitForMessagesAsync(maildir, 300, TimeSpan.FromSeconds(30));
        Assert.That(files, Has.Count.EqualTo(300));
        MaildirAssert.AssertTmpEmpty(maildir);
        sample.Signal(BackgroundProcess.SIGTERM);
        Assert.That(await sample.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.Zero, sample.Describe());
    }

    [Test]
    public async Task Sigint_closes_an_idle_session_with_421_lists_every_endpoint_and_exits_0()
    {
        var arguments = new List<string> { "--listen", "127.0.0.1:0", "--discard" };
        if (Socket.OSSupportsIPv6)
        {
            arguments.AddRange(["--listen", "[::1]:0"]);
        }

        await using var sample = StartSample([.. arguments]);
        var port = await ListeningPortAsync(sample);
        if (Socket.OSSupportsIPv6)
        {
            await sample.WaitForLineAsync(l => l.StartsWith("Listening on [::1]:", StringComparison.Ordinal), StartTimeout);
        }

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        var greeting = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(greeting, Does.StartWith("220 "));

        sample.Signal(BackgroundProcess.SIGINT);
        // RFC 5321 §3.8: a server shutting down answers 421 and closes the channel.
        var goodbye = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(goodbye, Does.StartWith("421 "));
        Assert.That(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)), Is.Null, "closed after 421");
        Assert.That(await sample.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.Zero);
        Assert.That(sample.StandardOutput, Does.Contain("Stopped"));
    }

    [Test]
    public async Task Lmtp_size_recipient_and_timeout_options_take_effect_in_the_running_sample()
    {
        await using var sample = StartSample("--listen", "127.0.0.1:0", "--discard", "--lmtp",
            "--max-message-size", "2048", "--max-recipients", "1", "--command-timeout", "2");
        var port = await ListeningPortAsync(sample);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        async Task<string> ReplyAsync()
        {
            // A multi-line reply ends at the line with a space after the code (RFC 5321 §4.2.1).
            var lines = new StringBuilder();
            while (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } line)
            {
                lines.Append(line).Append('\n');
                if (line.Length < 4 || line[3] == ' ')
                {
                    break;
                }
            }

            return lines.ToString();
        }

        async Task<string> SendAsync(string command)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
            return await ReplyAsync();
        }

        Assert.That(await ReplyAsync(), Does.StartWith("220 "));
        Assert.That(await SendAsync("EHLO client.example"), Does.StartWith("5"), "LMTP refuses EHLO (RFC 2033 §4.1)");
        Assert.That(await SendAsync("LHLO client.example"), Does.Contain("SIZE 2048"));
        Assert.That(await SendAsync("MAIL FROM:<a@example.org>"), Does.StartWith("250"));
        Assert.That(await SendAsync("RCPT TO:<b@example.com>"), Does.StartWith("250"));
        Assert.That(await SendAsync("RCPT TO:<c@example.com>"), Does.StartWith("452"));

        // Silence past --command-timeout: the server says 421 and closes (RFC 5321 §4.5.3.2).
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(await ReplyAsync(), Does.StartWith("421 "));
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));
        Assert.That(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)), Is.Null);
    }

    [Test]
    public async Task Sigterm_during_data_lets_the_message_finish_then_closes_with_421()
    {
        var maildir = Path.Combine(_work.FullName, "maildir");
        await using var sample = StartSample("--listen", "127.0.0.1:0", "--maildir", maildir);
        var port = await ListeningPortAsync(sample);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        async Task<string> LastReplyLineAsync()
        {
            string? line;
            do
            {
                line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            while (line is { Length: > 3 } && line[3] == '-');
            return line ?? "(closed)";
        }

        Task WriteAsync(string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

        Assert.That(await LastReplyLineAsync(), Does.StartWith("220"));
        foreach (var (command, reply) in new[] { ("EHLO c.example", "250"), ("MAIL FROM:<a@example.org>", "250"), ("RCPT TO:<b@example.com>", "250"), ("DATA", "354") })
        {
            await WriteAsync(command + "\r\n");
            Assert.That(await LastReplyLineAsync(), Does.StartWith(reply), command);
        }

        await WriteAsync("Subject: in flight\r\n\r\npart one\r\n");
        sample.Signal(BackgroundProcess.SIGTERM);
        await sample.WaitForLineAsync(l => l.StartsWith("Stopping", StringComparison.Ordinal), StartTimeout);

        // The transaction in progress completes within the grace period, then the server, unasked, says
        // 421 and closes (sending a command here could race with the stop and get a 250).
        await WriteAsync("part two\r\n.\r\n");
        Assert.That(await LastReplyLineAsync(), Does.StartWith("250 "));
        Assert.That(await LastReplyLineAsync(), Does.StartWith("421 "));
        Assert.That(await sample.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.Zero);
        await MaildirAssert.HoldsSingleAsync(maildir, "Subject: in flight\r\n\r\npart one\r\npart two\r\n"u8.ToArray(), TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task A_port_in_use_is_reported_with_a_non_zero_exit()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var busy = ((IPEndPoint)occupant.LocalEndpoint).Port;
        await using var sample = StartSample("--listen", $"127.0.0.1:{busy}", "--discard");
        Assert.That(await sample.WaitForExitAsync(StartTimeout), Is.EqualTo(1));
        Assert.That(sample.StandardError, Does.Contain($"127.0.0.1:{busy}"));
        Assert.That(sample.StandardOutput, Does.Not.Contain("Listening on"));
    }

    [Test]
    public async Task A_bad_option_exits_2_with_the_reason_and_usage()
    {
        await using var sample = StartSample("--listen", "nowhere");
        Assert.That(await sample.WaitForExitAsync(StartTimeout), Is.EqualTo(2));
        Assert.That(sample.StandardError, Does.Contain("'nowhere'").And.Contain("Usage: MailServer"));
    }

    [Test]
    public async Task A_certificate_that_cannot_be_read_exits_1_without_showing_passwords()
    {
        var pfx = Path.Combine(_work.FullName, "broken.pfx");
        await File.WriteAllTextAsync(pfx, "not a certificate");
        await using var sample = StartSample("--listen", "127.0.0.1:0", "--discard", "--cert", pfx, "--user", "alice:secret", "--require-auth");
        Assert.That(await sample.WaitForExitAsync(StartTimeout), Is.EqualTo(1));
        Assert.That(sample.StandardError, Does.Contain("broken.pfx").And.Not.Contain("secret"));
        Assert.That(sample.StandardOutput, Does.Not.Contain("Listening on"));
    }

    [Test]
    public async Task Help_exits_0_with_usage()
    {
        await using var sample = StartSample("--help");
        Assert.That(await sample.WaitForExitAsync(StartTimeout), Is.Zero);
        Assert.That(sample.StandardOutput, Does.Contain("--listen ADDR:PORT").And.Contain("--maildir DIR"));
    }
}
