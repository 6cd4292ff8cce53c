using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Smtp.Core.Auth;
using Smtp.Core.Server;
using Smtp.Core.Storage;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Interop;

/// <summary>
/// STARTTLS, implicit TLS and AUTH against programs this project did not write (swaks, curl, Python's smtplib,
/// openssl s_client), over loopback, against an in-process server with a certificate made at run time.
/// </summary>
[NonParallelizable]
public sealed class TlsAuthInteropTests
{
    private static readonly TimeSpan s_toolTimeout = TimeSpan.FromSeconds(30);

    private const string PythonClient = """
        import smtplib, ssl, sys
        mode, host, port, user, password = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        if mode.startswith("starttls"):
            client = smtplib.SMTP(host, port, timeout=20)
            client.ehlo("python.test")
            client.starttls(context=context)
            client.ehlo("python.test")
        else:
            client = smtplib.SMTP_SSL(host, port, context=context, timeout=20)
            client.ehlo("python.test")
        if mode.endswith("plain"):
            client.user, client.password = user, password
            code, text = client.auth("PLAIN", client.auth_plain)
        else:
            try:
                client.login(user, password)
            except smtplib.SMTPAuthenticationError as e:
                print("AUTH FAILED", e.smtp_code, e.smtp_error.decode())
                sys.exit(3)
        client.sendmail("alice@example.org", ["bob@example.net"], "Subject: python\r\n\r\nfrom smtplib\r\n")
        print("SENT", ssl.OPENSSL_VERSION)
        client.quit()
        """;

    private SmtpServer _server = null!;
    private InMemoryMessageStore _store = null!;
    private ConcurrentQueue<(string? Identity, bool Secure, bool Implicit)> _senders = null!;
    private int _startTlsPort;
    private int _implicitPort;
    private int _submissionPort;
    private string _directory = null!;

    [SetUp]
    public async Task StartServerAsync()
    {
        _directory = Directory.CreateTempSubdirectory("smtp-tlsauth-").FullName;
        _store = new InMemoryMessageStore();
        _senders = new ConcurrentQueue<(string?, bool, bool)>();
        var tls = new SmtpTlsOptions { ServerCertificate = TestCertificates.Server };
        var auth = new SmtpAuthenticationOptions(new InMemoryUserAuthenticator().Add("alice", "wonderland"))
        {
            FailureDelay = TimeSpan.FromMilliseconds(50),
        };
        auth.Mechanisms.Add(SaslMechanisms.CramMd5);
        var options = new SmtpServerOptions
        {
            ServerName = "mx.test",
            MessageStore = _store,
            Authentication = auth,
            MailboxFilter = MailboxFilter.FromDelegates(canAcceptFrom: (c, _, _) =>
            {
                _senders.Enqueue((c.AuthenticatedIdentity, c.IsSecure, c.Tls?.IsImplicit ?? false));
                return ValueTask.FromResult(SmtpResult.Accept());
            }),
        };
        options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)) { Tls = tls });
        options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)) { Tls = tls, ImplicitTls = true });
        options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)) { Tls = tls, RequireTls = true, RequireAuthentication = true });
        _server = new SmtpServer(options);
        await _server.StartAsync();
        _startTlsPort = _server.LocalEndPoints[0].Port;
        _implicitPort = _server.LocalEndPoints[1].Port;
        _submissionPort = _server.LocalEndPoints[2].Port;
    }

    [TearDown]
    public async Task StopServerAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private Task<ToolResult> SwaksAsync(int port, params string[] extra)
    {
        string swaks = ExternalTool.Require("swaks");
        string[] common = ["--server", "127.0.0.1", "--port", Port(port), "--helo", "swaks.test", "--from", "alice@example.org", "--to", "bob@example.net", "--timeout", "20"];
        return ExternalTool.RunAsync(swaks, [.. common, .. extra], s_toolTimeout);
    }

    private void AssertDelivered(int count, string? identity, bool isImplicit = false)
    {
        Assert.That(_store.Messages, Has.Count.EqualTo(count));
        Assert.That(_senders.Last(), Is.EqualTo((identity, true, isImplicit)));
    }

    [TestCase("PLAIN")]
    [TestCase("LOGIN")]
    [TestCase("CRAM-MD5")]
    public async Task Swaks_starttls_and_auth(string mechanism)
    {
        ToolResult result = await SwaksAsync(_submissionPort, "--tls", "--auth", mechanism, "--auth-user", "alice", "--auth-password", "wonderland");
        result.AssertSuccess();
        Assert.That(result.StandardOutput, Does.Contain("235 2.7.0"));
        Assert.That(result.StandardOutput, Does.Contain("220 2.0.0 Ready to start TLS"));
        AssertDelivered(1, "alice");
    }

    [Test]
    public async Task Swaks_implicit_tls_with_plain()
    {
        ToolResult result = await SwaksAsync(_implicitPort, "--tlsc", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "wonderland");
        result.AssertSuccess();
        AssertDelivered(1, "alice", isImplicit: true);
    }

    [Test]
    public async Task Swaks_with_a_wrong_password_gets_535_and_sends_nothing()
    {
        ToolResult result = await SwaksAsync(_submissionPort, "--tls", "--auth", "LOGIN", "--auth-user", "alice", "--auth-password", "guess");
        Assert.That(result.TimedOut, Is.False);
        Assert.That(result.ExitCode, Is.Not.Zero, result.Describe());
        Assert.That(result.StandardOutput + result.StandardError, Does.Contain("535 5.7.8"));
        Assert.That(_store.Messages, Is.Empty);
    }

    [Test]
    public async Task Swaks_without_starttls_is_refused_by_the_submission_endpoint()
    {
        ToolResult result = await SwaksAsync(_submissionPort);
        Assert.That(result.ExitCode, Is.Not.Zero, result.Describe());
        Assert.That(result.StandardOutput, Does.Contain("530 5.7.0 Must issue a STARTTLS command first"));
        Assert.That(_store.Messages, Is.Empty);
    }

    [Test]
    public async Task Swaks_starttls_without_auth_on_the_plain_endpoint()
    {
        ToolResult result = await SwaksAsync(_startTlsPort, "--tls");
        result.AssertSuccess();
        AssertDelivered(1, null);
    }

    private async Task<ToolResult> CurlAsync(string url, params string[] extra)
    {
        string curl = ExternalTool.Require("curl");
        string message = Path.Combine(_directory, "message.eml");
        await File.WriteAllTextAsync(message, "Subject: curl\r\n\r\nfrom curl\r\n");
        string[] common = ["-sS", "-v", "-k", "--max-time", "20", url, "--mail-from", "alice@example.org", "--mail-rcpt", "bob@example.net", "--upload-file", message];
        return await ExternalTool.RunAsync(curl, [.. common, .. extra], s_toolTimeout);
    }

    [Test]
    public async Task Curl_ssl_reqd_with_user_over_starttls()
    {
        (await CurlAsync($"smtp://127.0.0.1:{Port(_submissionPort)}", "--ssl-reqd", "--user", "alice:wonderland")).AssertSuccess();
        AssertDelivered(1, "alice");
    }

    [Test]
    public async Task Curl_smtps_implicit_tls_with_plain()
    {
        (await CurlAsync($"smtps://127.0.0.1:{Port(_implicitPort)}", "--user", "alice:wonderland", "--login-options", "AUTH=PLAIN")).AssertSuccess();
        AssertDelivered(1, "alice", isImplicit: true);
    }

    [Test]
    public async Task Curl_with_a_wrong_password_fails()
    {
        ToolResult result = await CurlAsync($"smtp://127.0.0.1:{Port(_submissionPort)}", "--ssl-reqd", "--user", "alice:guess", "--login-options", "AUTH=LOGIN");
        Assert.That(result.ExitCode, Is.Not.Zero, result.Describe());
        Assert.That(result.StandardError, Does.Contain("535"));
        Assert.That(_store.Messages, Is.Empty);
    }

    private Task<ToolResult> PythonAsync(string mode, int port, string password)
    {
        string python = ExternalTool.Require("python3");
        return ExternalTool.RunAsync(python, ["-", mode, "127.0.0.1", Port(port), "alice", password], s_toolTimeout, Encoding.UTF8.GetBytes(PythonClient));
    }

    [Test]
    public async Task Python_smtplib_starttls_and_login()
    {
        (await PythonAsync("starttls", _submissionPort, "wonderland")).AssertSuccess();
        AssertDelivered(1, "alice");
    }

    [Test]
    public async Task Python_smtplib_starttls_and_auth_plain()
    {
        (await PythonAsync("starttls-plain", _submissionPort, "wonderland")).AssertSuccess();
        AssertDelivered(1, "alice");
    }

    [Test]
    public async Task Python_smtplib_smtp_ssl_and_login()
    {
        (await PythonAsync("ssl", _implicitPort, "wonderland")).AssertSuccess();
        AssertDelivered(1, "alice", isImplicit: true);
    }

    [Test]
    public async Task Python_smtplib_login_with_a_wrong_password_tries_each_mechanism_until_the_failure_limit()
    {
        // smtplib's login() moves on to the next advertised mechanism after each 535 (CRAM-MD5, PLAIN, LOGIN): the
        // third failure reaches the default limit of 3 and is answered 421.
        ToolResult result = await PythonAsync("starttls", _submissionPort, "guess");
        Assert.That(result.ExitCode, Is.EqualTo(3), result.Describe());
        Assert.That(result.StandardOutput, Does.Contain("AUTH FAILED 421 4.7.0"));
        Assert.That(_store.Messages, Is.Empty);
    }

    private static MimeKit.MimeMessage MailKitMessage()
    {
        var message = new MimeKit.MimeMessage();
        message.From.Add(new MimeKit.MailboxAddress("Alice", "alice@example.org"));
        message.To.Add(new MimeKit.MailboxAddress("Bob", "bob@example.net"));
        message.Subject = "MailKit";
        message.Body = new MimeKit.TextPart("plain") { Text = "from MailKit\r\n" };
        return message;
    }

    [TestCase("SCRAM-SHA-256")]
    [TestCase("PLAIN")]
    [TestCase("LOGIN")]
    [TestCase("CRAM-MD5")]
    public async Task MailKit_starttls_and_each_mechanism(string mechanism)
    {
        using var client = new MailKit.Net.Smtp.SmtpClient { Timeout = 20_000, ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", _submissionPort, MailKit.Security.SecureSocketOptions.StartTls);
        Assert.That(client.AuthenticationMechanisms, Is.SupersetOf(new[] { "SCRAM-SHA-256", "PLAIN", "LOGIN", "CRAM-MD5" }));
        var credentials = new NetworkCredential("alice", "wonderland");
        MailKit.Security.SaslMechanism sasl = mechanism switch
        {
            "SCRAM-SHA-256" => new MailKit.Security.SaslMechanismScramSha256(credentials),
            "PLAIN" => new MailKit.Security.SaslMechanismPlain(credentials),
            "LOGIN" => new MailKit.Security.SaslMechanismLogin(credentials),
            _ => new MailKit.Security.SaslMechanismCramMd5(credentials),
        };
        await client.AuthenticateAsync(sasl);
        Assert.That(sasl.IsAuthenticated, Is.True, "SCRAM: the client verified the server's signature");
        await client.SendAsync(MailKitMessage());
        await client.DisconnectAsync(quit: true);
        AssertDelivered(1, "alice");
    }

    [Test]
    public async Task Twenty_concurrent_tls_sessions_deliver_and_every_session_ends()
    {
        // Bounded: 20 clients, each one message, within the tool timeout.
        async Task SendOneAsync(int i)
        {
            using var client = new MailKit.Net.Smtp.SmtpClient { Timeout = 20_000, ServerCertificateValidationCallback = (_, _, _, _) => true };
            await client.ConnectAsync("127.0.0.1", i % 2 == 0 ? _submissionPort : _implicitPort,
                i % 2 == 0 ? MailKit.Security.SecureSocketOptions.StartTls : MailKit.Security.SecureSocketOptions.SslOnConnect);
            await client.AuthenticateAsync(new MailKit.Security.SaslMechanismPlain(new NetworkCredential("alice", "wonderland")));
            await client.SendAsync(MailKitMessage());
            await client.DisconnectAsync(quit: i % 3 != 0); // a third just drop the connection
        }

        await Task.WhenAll(Enumerable.Range(0, 20).Select(SendOneAsync)).WaitAsync(s_toolTimeout);
        Assert.That(_store.Messages, Has.Count.EqualTo(20));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_server.ActiveSessionCount > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.That(_server.ActiveSessionCount, Is.Zero, "every TLS session ended once its client went away");
    }

    [Test]
    public async Task MailKit_ssl_on_connect_with_a_wrong_password_gets_535()
    {
        using var client = new MailKit.Net.Smtp.SmtpClient { Timeout = 20_000, ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", _implicitPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
        var error = Assert.ThrowsAsync<MailKit.Security.AuthenticationException>(
            async () => await client.AuthenticateAsync(new MailKit.Security.SaslMechanismScramSha256(new NetworkCredential("alice", "guess"))));
        Assert.That(error!.Message, Does.Contain("Authentication credentials invalid").Or.Contain("535"));
        await client.DisconnectAsync(quit: true);
        Assert.That(_store.Messages, Is.Empty);
    }

    [Test]
    public async Task Openssl_s_client_starttls_sees_auth_only_after_the_handshake()
    {
        string openssl = ExternalTool.Require("openssl");
        ToolResult result = await ExternalTool.RunAsync(
            openssl,
            ["s_client", "-starttls", "smtp", "-connect", "127.0.0.1:" + Port(_startTlsPort), "-servername", "localhost", "-crlf", "-quiet"],
            s_toolTimeout,
            "EHLO openssl.test\nQUIT\n"u8.ToArray());
        result.AssertSuccess(); // exit 0 needs the server's close_notify: OpenSSL 3 fails on a bare EOF
        Assert.That(result.StandardOutput, Does.Match("250[ -]AUTH SCRAM-SHA-256 PLAIN LOGIN CRAM-MD5"), result.Describe());
        Assert.That(result.StandardOutput, Does.Not.Contain("STARTTLS"), "not offered again under TLS");
        Assert.That(result.StandardOutput, Does.Contain("221 2.0.0"));
        Assert.That(result.StandardError, Does.Contain("CN=localhost").Or.Contain("CN = localhost"));
    }

    [Test]
    public async Task Openssl_s_client_implicit_tls_gets_the_greeting_under_tls()
    {
        string openssl = ExternalTool.Require("openssl");
        string shell = ExternalTool.Require("sh");

        // The commands wait a second: a client that speaks before the greeting is refused (RFC 5321 §4.3.1), and
        // s_client would send its stdin as soon as the handshake is done.
        ToolResult result = await ExternalTool.RunAsync(
            shell,
            ["-c", $"(sleep 1; printf 'EHLO openssl.test\\nQUIT\\n') | '{openssl}' s_client -connect 127.0.0.1:{Port(_implicitPort)} -servername localhost -crlf -quiet"],
            s_toolTimeout);
        result.AssertSuccess();
        Assert.That(result.StandardOutput, Does.StartWith("220 mx.test ESMTP"), result.Describe());
        Assert.That(result.StandardOutput, Does.Match("250[ -]AUTH SCRAM-SHA-256 PLAIN LOGIN CRAM-MD5"));
        Assert.That(result.StandardOutput, Does.Contain("221 2.0.0"));
    }

    [Test]
    public async Task Openssl_s_client_cannot_negotiate_tls_1_1()
    {
        string openssl = ExternalTool.Require("openssl");
        ToolResult result = await ExternalTool.RunAsync(
            openssl,
            ["s_client", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0", "-connect", "127.0.0.1:" + Port(_implicitPort), "-quiet"],
            s_toolTimeout,
            "QUIT\n"u8.ToArray());
        Assert.That(result.TimedOut, Is.False, result.Describe());
        Assert.That(result.StandardOutput, Does.Not.Contain("220 mx.test"), result.Describe());
    }
}
