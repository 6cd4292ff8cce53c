using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using MailSend;
using Smtp.Core.Auth;
using Smtp.Core.Client;
using Smtp.Core.Server;
using Smtp.Core.Storage;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Client;

/// <summary>
/// Issue 5: the client against this project's own server, in-process on loopback, over STARTTLS and implicit TLS
/// with AUTH. The server's certificate is made at run time and the client trusts exactly that certificate.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class OwnServerTests
{
    private const string User = "alice";
    private const string Password = "w0nder-land";

    private OwnServer _server = null!;

    /// <summary>Cancelled by [CancelAfter]; every network call takes it, so a hung exchange ends the test.</summary>
    private static CancellationToken Token => TestContext.CurrentContext.CancellationToken;

    [TearDown]
    public async Task StopServerAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static SmtpClientOptions Options(int port, SmtpTlsMode tls, string? mechanism = null, string password = Password,
        bool lmtp = false, bool chunking = true, bool credentials = true)
        => new()
        {
            Host = "127.0.0.1",
            Port = port,
            TlsMode = tls,
            TargetHost = "localhost",
            ClientName = "client.test",
            UseLmtp = lmtp,
            UseChunking = chunking,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            CommandTimeout = TimeSpan.FromSeconds(15),
            DataTimeout = TimeSpan.FromSeconds(15),
            Credentials = credentials ? SaslClientCredentials.FromPassword(User, password) : null,
            AuthMechanism = mechanism,
            RemoteCertificateValidation = TestCertificate.AcceptOnlyTestCertificate,
        };

    private static byte[] Message(string subject, string body = "Hello from the client.\r\n")
        => Encoding.UTF8.GetBytes($"From: alice@example.org\r\nTo: bob@example.net\r\nSubject: {subject}\r\n\r\n{body}");

    /// <summary>About 1 MB: many lines start with '.', one is only '.', one is '..', so dot-stuffing must round-trip.</summary>
    private static byte[] LargeMessage()
    {
        var text = new StringBuilder("From: alice@example.org\r\nTo: bob@example.net\r\nSubject: large\r\n\r\n");
        int line = 0;
        while (text.Length < 1024 * 1024)
        {
            text.Append((line % 7) switch
            {
                0 => ".leading dot line " + line,
                1 => ".",
                2 => "..",
                3 => "... three dots " + line,
                _ => "plain text line " + line + " " + new string((char)('a' + (line % 26)), 60),
            });
            text.Append("\r\n");
            line++;
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static void AssertStored(StoredMessage stored, byte[] sent, string from, params string[] recipients)
    {
        Assert.That(stored.Body.ToArray(), Is.EqualTo(sent), "stored bytes differ from the bytes sent");
        Assert.That(stored.Envelope.From, Is.EqualTo(from));
        Assert.That(stored.Envelope.Recipients.Select(r => r.Address), Is.EqualTo(recipients));
    }

    [TestCase("PLAIN", nameof(PasswordSaslCredentials))]
    [TestCase("LOGIN", nameof(PasswordSaslCredentials))]
    [TestCase("CRAM-MD5", nameof(CramMd5SaslCredentials))]
    [TestCase("SCRAM-SHA-256", "SCRAM lookup")]
    public async Task StartTlsRequired_with_each_offered_mechanism_authenticates_and_stores_the_exact_bytes(string mechanism, string serverCheck)
    {
        _server = await OwnServer.StartAsync();
        byte[] sent = Message("starttls " + mechanism);

        await using (var client = await SmtpClient.ConnectAsync(Options(_server.StartTlsPort, SmtpTlsMode.StartTlsRequired, mechanism), Token))
        {
            Assert.That(client.IsSecure, Is.True);
            Assert.That(client.Capabilities.AuthMechanisms, Does.Contain(mechanism));
            Assert.That(client.AuthenticationMechanism, Is.EqualTo(mechanism));
            var result = await client.SendAsync(new SmtpSendEnvelope("alice@example.org", "bob@example.net"), SmtpMessageContent.FromBytes(sent), Token);
            Assert.That(result.AllAccepted, Is.True);
            await client.QuitAsync(Token);
        }

        var stored = _server.Store.Messages.Single();
        AssertStored(stored, sent, "alice@example.org", "bob@example.net");
        var session = _server.Sessions[stored.SessionId];
        Assert.That(session.Identity, Is.EqualTo(User));
        Assert.That((session.Secure, session.Implicit), Is.EqualTo((true, false)));
        Assert.That(_server.Authenticator.Mechanisms, Does.Contain(serverCheck));
    }

    [Test]
    public async Task Without_a_chosen_mechanism_the_client_picks_the_strongest_offered_which_is_scram_sha_256()
    {
        _server = await OwnServer.StartAsync();
        byte[] sent = Message("strongest");

        await using (var client = await SmtpClient.ConnectAsync(Options(_server.StartTlsPort, SmtpTlsMode.StartTlsRequired), Token))
        {
            Assert.That(client.Capabilities.AuthMechanisms, Is.SupersetOf(new[] { "PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256" }));
            Assert.That(client.AuthenticationMechanism, Is.EqualTo("SCRAM-SHA-256"));
            await client.SendAsync(new SmtpSendEnvelope("alice@example.org", "bob@example.net"), SmtpMessageContent.FromBytes(sent), Token);
        }

        var stored = _server.Store.Messages.Single();
        AssertStored(stored, sent, "alice@example.org", "bob@example.net");
        Assert.That(_server.Sessions[stored.SessionId].Identity, Is.EqualTo(User));
        // SCRAM never hands a password to the server: the stored-key lookup ran, then at most the authorisation step.
        Assert.That(_server.Authenticator.Mechanisms, Does.Contain("SCRAM lookup").And.Not.Contain(nameof(PasswordSaslCredentials)));
    }

    [Test]
    public async Task ImplicitTls_with_auth_delivers_the_exact_bytes()
    {
        _server = await OwnServer.StartAsync();
        byte[] sent = Message("implicit");

        await using (var client = await SmtpClient.ConnectAsync(Options(_server.ImplicitPort, SmtpTlsMode.ImplicitTls, "PLAIN"), Token))
        {
            Assert.That(client.IsSecure, Is.True);
            Assert.That(client.Capabilities.StartTls, Is.False, "STARTTLS must not be offered under TLS");
            var result = await client.SendAsync(new SmtpSendEnvelope("alice@example.org", "bob@example.net", "carol@example.net"), SmtpMessageContent.FromBytes(sent), Token);
            Assert.That(result.Recipients.Select(r => r.Accepted), Is.EqualTo(new[] { true, true }));
            await client.QuitAsync(Token);
        }

        var stored = _server.Store.Messages.Single();
        AssertStored(stored, sent, "alice@example.org", "bob@example.net", "carol@example.net");
        var session = _server.Sessions[stored.SessionId];
        Assert.That((session.Identity, session.Secure, session.Implicit), Is.EqualTo(((string?)User, true, true)));
    }

    [TestCase("PLAIN")]
    [TestCase("SCRAM-SHA-256")]
    public async Task A_wrong_password_fails_with_535_5_7_8_and_nothing_is_stored(string mechanism)
    {
        _server = await OwnServer.StartAsync();

        var error = Assert.ThrowsAsync<SmtpCommandException>(async () =>
            await SmtpClient.ConnectAsync(Options(_server.StartTlsPort, SmtpTlsMode.StartTlsRequired, mechanism, password: "not-the-password"), Token));

        Assert.That(error!.Command, Is.EqualTo("AUTH"));
        Assert.That(error.Reply.Code, Is.EqualTo(535));
        Assert.That(error.Reply.EnhancedCode?.ToString(), Is.EqualTo("5.7.8"));
        Assert.That(_server.Store.Count, Is.Zero);
        Assert.That(_server.Sessions, Is.Empty, "no transaction may have reached the store");
        Assert.That(_server.ReceivedCommands()[^1], Is.EqualTo("QUIT"), "the client says goodbye after a refused AUTH (RFC 5321 §4.1.1.10)");
    }

    [Test]
    public async Task StartTlsRequired_against_an_endpoint_without_a_certificate_fails_before_auth_or_mail_leaves()
    {
        _server = await OwnServer.StartAsync();

        var error = Assert.ThrowsAsync<SmtpSecurityException>(async () =>
            await SmtpClient.ConnectAsync(Options(_server.PlainPort, SmtpTlsMode.StartTlsRequired, "PLAIN"), Token));
        Assert.That(error!.Message, Does.Contain("STARTTLS"));

        // The server saw EHLO and at most QUIT: no AUTH, no MAIL, no authenticator call, nothing stored.
        await _server.WaitForNoSessionsAsync();
        string[] received = _server.ReceivedCommands();
        Assert.That(received, Does.Contain("EHLO"));
        Assert.That(received, Has.None.EqualTo("AUTH").And.None.EqualTo("MAIL").And.None.EqualTo("STARTTLS"));
        Assert.That(received[^1], Is.EqualTo("QUIT"), "the client ends the session politely (RFC 5321 §4.1.1.10)");
        Assert.That(_server.Authenticator.Mechanisms, Is.Empty);
        Assert.That(_server.Store.Count, Is.Zero);
    }

    [Test]
    public async Task Scram_fails_on_the_client_when_the_server_signature_is_wrong_and_no_mail_is_sent()
    {
        _server = await OwnServer.StartAsync(forgeScramServerKey: true);

        var error = Assert.ThrowsAsync<SmtpSecurityException>(async () =>
            await SmtpClient.ConnectAsync(Options(_server.StartTlsPort, SmtpTlsMode.StartTlsRequired, "SCRAM-SHA-256"), Token));

        Assert.That(error, Is.Not.Null);
        Assert.That(_server.Authenticator.Mechanisms, Does.Contain("SCRAM lookup"), "the exchange must have reached the server's final message");
        await _server.WaitForNoSessionsAsync();
        Assert.That(_server.ReceivedCommands(), Does.Contain("AUTH").And.Not.Contain("MAIL"));
        Assert.That(_server.Store.Count, Is.Zero);
    }

    [TestCase(SmtpTlsMode.StartTlsRequired)]
    [TestCase(SmtpTlsMode.ImplicitTls)]
    public async Task A_server_certificate_other_than_the_trusted_one_is_refused_before_auth(SmtpTlsMode mode)
    {
        _server = await OwnServer.StartAsync(certificate: TestCertificates.Other);
        int port = mode == SmtpTlsMode.ImplicitTls ? _server.ImplicitPort : _server.StartTlsPort;

        Assert.ThrowsAsync<SmtpSecurityException>(async () => await SmtpClient.ConnectAsync(Options(port, mode, "PLAIN"), Token));

        await _server.WaitForNoSessionsAsync();
        Assert.That(_server.ReceivedCommands(), Has.None.EqualTo("AUTH").And.None.EqualTo("MAIL"));
        Assert.That(_server.Authenticator.Mechanisms, Is.Empty);
        Assert.That(_server.Store.Count, Is.Zero);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_one_megabyte_message_with_leading_dots_is_stored_byte_for_byte_over_bdat_and_over_data(bool chunking)
    {
        _server = await OwnServer.StartAsync();
        byte[] sent = LargeMessage();

        await using (var client = await SmtpClient.ConnectAsync(Options(_server.StartTlsPort, SmtpTlsMode.StartTlsRequired, chunking: chunking), Token))
        {
            Assert.That(client.Capabilities.Chunking, Is.True, "our server offers CHUNKING");
            var result = await client.SendAsync(new SmtpSendEnvelope("alice@example.org", "bob@example.net"), SmtpMessageContent.FromBytes(sent), Token);
            Assert.That(result.AllAccepted, Is.True);
            await client.QuitAsync(Token);
        }

        AssertStored(_server.Store.Messages.Single(), sent, "alice@example.org", "bob@example.net");
        string[] received = _server.ReceivedCommands();
        if (chunking)
        {
            Assert.That(received, Does.Contain("BDAT").And.Not.Contain("DATA"));
        }
        else
        {
            Assert.That(received, Does.Contain("DATA").And.Not.Contain("BDAT"));
        }
    }

    [Test]
    public async Task Pipelined_recipients_get_one_result_each_when_the_mailbox_filter_refuses_one()
    {
        _server = await OwnServer.StartAsync(o => o.MailboxFilter = MailboxFilter.FromDelegates(
            canDeliverTo: (_, _, recipient, _) => ValueTask.FromResult(recipient.Address.StartsWith("nobody@", StringComparison.Ordinal)
                ? SmtpResult.Reject(550, "5.1.1", "No such user here")
                : SmtpResult.Accept())));
        byte[] sent = Message("pipelined");

        await using (var client = await SmtpClient.ConnectAsync(Options(_server.StartTlsPort, SmtpTlsMode.StartTlsRequired), Token))
        {
            Assert.That(client.Capabilities.Pipelining, Is.True);
            var result = await client.SendAsync(
                new SmtpSendEnvelope("alice@example.org", "bob@example.net", "nobody@example.net", "carol@example.net"), SmtpMessageContent.FromBytes(sent), Token);
            Assert.That(result.Recipients.Select(r => r.Recipient.Address), Is.EqualTo(new[] { "bob@example.net", "nobody@example.net", "carol@example.net" }));
            Assert.That(result.Recipients.Select(r => r.Accepted), Is.EqualTo(new[] { true, false, true }));
            Assert.That(result.Recipients[1].RcptReply.Code, Is.EqualTo(550));
            Assert.That(result.Recipients[1].RcptReply.EnhancedCode?.ToString(), Is.EqualTo("5.1.1"));
            Assert.That(result.AnyAccepted && !result.AllAccepted, Is.True);
            await client.QuitAsync(Token);
        }

        AssertStored(_server.Store.Messages.Single(), sent, "alice@example.org", "bob@example.net", "carol@example.net");
        Assert.That(_server.ReceivedCommands().Count(c => c == "RCPT"), Is.EqualTo(3));
    }

    [Test]
    public async Task An_smtputf8_envelope_with_a_non_ascii_local_part_is_stored_as_utf8()
    {
        _server = await OwnServer.StartAsync();
        byte[] sent = Encoding.UTF8.GetBytes("From: ålice@example.org\r\nTo: 用户@example.net\r\nSubject: ünïcode\r\n\r\nGrüße.\r\n");

        await using (var client = await SmtpClient.ConnectAsync(Options(_server.StartTlsPort, SmtpTlsMode.StartTlsRequired), Token))
        {
            Assert.That(client.Capabilities.SmtpUtf8, Is.True);
            var result = await client.SendAsync(new SmtpSendEnvelope("ålice@example.org", "用户@example.net") { SmtpUtf8 = true }, SmtpMessageContent.FromBytes(sent), Token);
            Assert.That(result.AllAccepted, Is.True);
            await client.QuitAsync(Token);
        }

        var stored = _server.Store.Messages.Single();
        AssertStored(stored, sent, "ålice@example.org", "用户@example.net");
        Assert.That(stored.Envelope.IsUtf8, Is.True);
    }

    [Test]
    public async Task Lmtp_gives_one_delivery_result_per_recipient()
    {
        _server = await OwnServer.StartAsync(o => o.Lmtp = true);
        byte[] sent = Message("lmtp");

        await using (var client = await SmtpClient.ConnectAsync(Options(_server.StartTlsPort, SmtpTlsMode.StartTlsRequired, lmtp: true), Token))
        {
            var result = await client.SendAsync(
                new SmtpSendEnvelope("alice@example.org", "bob@example.net", "full@example.net", "carol@example.net"), SmtpMessageContent.FromBytes(sent), Token);
            Assert.That(result.Recipients, Has.Count.EqualTo(3));
            Assert.That(result.Recipients.Select(r => r.RcptReply.Code), Is.All.EqualTo(250));
            Assert.That(result.Recipients.Select(r => r.DeliveryReply?.Code), Is.EqualTo(new int?[] { 250, 452, 250 }));
            Assert.That(result.Recipients[1].DeliveryReply?.EnhancedCode?.ToString(), Is.EqualTo("4.2.2"));
            Assert.That(result.Recipients.Select(r => r.Accepted), Is.EqualTo(new[] { true, false, true }));
            await client.QuitAsync(Token);
        }

        var stored = _server.Store.Messages.Single();
        AssertStored(stored, sent, "alice@example.org", "bob@example.net", "full@example.net", "carol@example.net");
        Assert.That(_server.Sessions[stored.SessionId].Lmtp, Is.True);
        Assert.That(_server.ReceivedCommands(), Does.Contain("LHLO").And.Not.Contain("EHLO"));
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task A_pool_of_four_connections_delivers_200_messages_in_bounded_time()
    {
        _server = await OwnServer.StartAsync();
        var watch = Stopwatch.StartNew();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancel.CancelAfter(TimeSpan.FromSeconds(60));

        await using (var pool = new SmtpClientPool(Options(_server.StartTlsPort, SmtpTlsMode.StartTlsRequired), maxConnections: 4))
        {
            var sends = Enumerable.Range(0, 200).Select(i => pool.SendAsync(
                new SmtpSendEnvelope("alice@example.org", $"r{i}@example.net"), SmtpMessageContent.FromBytes(Message("pool " + i)), cancel.Token));
            var results = await Task.WhenAll(sends);
            Assert.That(results.Select(r => r.AllAccepted), Is.All.True);
        }

        watch.Stop();
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)));
        var stored = _server.Store.Messages;
        Assert.That(stored, Has.Count.EqualTo(200));
        for (int i = 0; i < 200; i++)
        {
            var message = stored.Single(m => m.Envelope.Recipients[0].Address == $"r{i}@example.net");
            Assert.That(message.Body.ToArray(), Is.EqualTo(Message("pool " + i)));
        }

        Assert.That(_server.SessionsStarted(), Is.InRange(1, 4), "the pool must not open more than four connections");
        Assert.That(stored.Select(m => _server.Sessions[m.SessionId].Identity), Is.All.EqualTo(User));
    }

    [Test]
    public async Task MailSend_sample_authenticates_over_starttls_with_insecure_and_fails_without_it()
    {
        _server = await OwnServer.StartAsync();
        string file = Path.Combine(_server.Directory, "message.eml");
        byte[] sent = Message("MailSend");
        await File.WriteAllBytesAsync(file, sent);
        string[] common = ["--server", $"127.0.0.1:{_server.StartTlsPort}", "--from", "alice@example.org", "--to", "bob@example.net",
            "--tls", "starttls", "--user", User, "--password", Password, file];

        var refusedOut = new StringWriter();
        var refusedErr = new StringWriter();
        int refused = await MailSendCommand.RunAsync(common, refusedOut, refusedErr, Token);
        Assert.That(refused, Is.EqualTo(MailSendCommand.SecurityFailure), refusedErr.ToString());
        Assert.That(_server.Store.Count, Is.Zero);
        Assert.That(_server.Authenticator.Mechanisms, Is.Empty, "no credentials may be tried over an unverified connection");

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await MailSendCommand.RunAsync(["--insecure", .. common], stdout, stderr, Token);
        Assert.That(exit, Is.EqualTo(MailSendCommand.Ok), stderr.ToString());
        Assert.That(stdout.ToString(), Does.Contain("accepted bob@example.net"));

        var stored = _server.Store.Messages.Single();
        AssertStored(stored, sent, "alice@example.org", "bob@example.net");
        Assert.That(_server.Sessions[stored.SessionId].Identity, Is.EqualTo(User));
    }

    /// <summary>What the store saw of the session that delivered a message.</summary>
    private sealed record SessionFacts(string? Identity, bool Secure, bool Implicit, bool Lmtp);

    /// <summary>
    /// Our server on three loopback endpoints: STARTTLS with TLS and AUTH required, implicit TLS with AUTH required,
    /// and plain without a certificate. It records the session facts beside each stored message and the commands received.
    /// </summary>
    private sealed class OwnServer : IAsyncDisposable
    {
        private readonly SmtpServer _server;
        private readonly ListLoggerFactory _log;

        private OwnServer(SmtpServer server, ListLoggerFactory log, RecordingStore store, CountingAuthenticator authenticator, string directory)
        {
            _server = server;
            _log = log;
            Store = store.Inner;
            Sessions = store.Sessions;
            Authenticator = authenticator;
            Directory = directory;
            StartTlsPort = server.LocalEndPoints[0].Port;
            ImplicitPort = server.LocalEndPoints[1].Port;
            PlainPort = server.LocalEndPoints[2].Port;
        }

        public InMemoryMessageStore Store { get; }

        public ConcurrentDictionary<string, SessionFacts> Sessions { get; }

        public CountingAuthenticator Authenticator { get; }

        public string Directory { get; }

        public int StartTlsPort { get; }

        public int ImplicitPort { get; }

        public int PlainPort { get; }

        public static async Task<OwnServer> StartAsync(Action<SmtpServerOptions>? configure = null,
            System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null, bool forgeScramServerKey = false)
        {
            var authenticator = new CountingAuthenticator(new InMemoryUserAuthenticator().Add(User, Password), forgeScramServerKey);
            var auth = new SmtpAuthenticationOptions(authenticator) { FailureDelay = TimeSpan.FromMilliseconds(20) };
            auth.Mechanisms.Add(SaslMechanisms.CramMd5);
            var store = new RecordingStore();
            var log = new ListLoggerFactory();
            var tls = new SmtpTlsOptions { ServerCertificate = certificate ?? TestCertificate.Instance };
            var options = new SmtpServerOptions
            {
                ServerName = "mx.test",
                MessageStore = store,
                Authentication = auth,
                LoggerFactory = log,
                MaxMessageSize = 4 * 1024 * 1024,
                CommandTimeout = TimeSpan.FromSeconds(30),
                DataTimeout = TimeSpan.FromSeconds(30),
                ShutdownGracePeriod = TimeSpan.FromSeconds(2),
            };
            options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)) { Tls = tls, RequireTls = true, RequireAuthentication = true });
            options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)) { Tls = tls, ImplicitTls = true, RequireAuthentication = true });
            options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)));
            configure?.Invoke(options);
            var server = new SmtpServer(options);
            await server.StartAsync();
            return new OwnServer(server, log, store, authenticator, System.IO.Directory.CreateTempSubdirectory("smtp-own-server-").FullName);
        }

        /// <summary>The verb of every command line the server received, from its Trace transcript.</summary>
        public string[] ReceivedCommands()
            => _log.Entries
                .Where(e => e.Id.Id == 1004)
                .Select(e => e.Message[(e.Message.IndexOf(" C: ", StringComparison.Ordinal) + 4)..])
                .Select(line => line.Split(' ', ':')[0].ToUpperInvariant())
                .ToArray();

        /// <summary>How many sessions the server started, from its log.</summary>
        public int SessionsStarted() => _log.Entries.Count(e => e.Message.StartsWith("Session ", StringComparison.Ordinal) && e.Message.Contains(" started from ", StringComparison.Ordinal));

        public async Task WaitForNoSessionsAsync()
        {
            var deadline = Stopwatch.StartNew();
            while (_server.ActiveSessionCount > 0 && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(20, Token);
            }

            Assert.That(_server.ActiveSessionCount, Is.Zero, "the server's session did not end");
        }

        public async ValueTask DisposeAsync()
        {
            await _server.DisposeAsync();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// An <see cref="InMemoryMessageStore"/> that also records the session's identity and TLS state, and for LMTP
    /// refuses recipients whose local part is "full" with 452 4.2.2 (RFC 2033 §4.2: one reply per recipient).
    /// </summary>
    private sealed class RecordingStore : ILmtpMessageStore
    {
        public InMemoryMessageStore Inner { get; } = new(capacity: 1000);

        public ConcurrentDictionary<string, SessionFacts> Sessions { get; } = new();

        public ValueTask<SmtpResult> SaveAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
        {
            Sessions[context.SessionId] = new SessionFacts(context.AuthenticatedIdentity, context.IsSecure, context.Tls?.IsImplicit ?? false, context.IsLmtp);
            return Inner.SaveAsync(context, envelope, body, cancellationToken);
        }

        public async ValueTask<IReadOnlyList<SmtpResult>> SaveForRecipientsAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
        {
            var saved = await SaveAsync(context, envelope, body, cancellationToken);
            return envelope.Recipients
                .Select(r => !saved.IsAccepted ? saved
                    : r.Address.StartsWith("full@", StringComparison.Ordinal) ? SmtpResult.Reject(452, "4.2.2", "Mailbox full")
                    : SmtpResult.Accept())
                .ToArray();
        }
    }

    /// <summary>Forwards to <see cref="InMemoryUserAuthenticator"/> and notes every call, to prove whether AUTH reached it.</summary>
    /// <remarks>
    /// With <c>forgeScramServerKey</c> it hands SCRAM the right StoredKey (so the client's proof verifies) but a wrong
    /// ServerKey, so the server's signature is wrong: a server that does not really know the credentials.
    /// </remarks>
    private sealed class CountingAuthenticator(InMemoryUserAuthenticator inner, bool forgeScramServerKey) : ISmtpAuthenticator, IScramCredentialStore
    {
        private readonly ConcurrentQueue<string> _calls = new();

        public string[] Mechanisms => _calls.ToArray();

        public ValueTask<SmtpAuthenticationResult> AuthenticateAsync(ISmtpSessionContext context, SaslCredentials credentials, CancellationToken cancellationToken)
        {
            _calls.Enqueue(credentials.GetType().Name);
            return inner.AuthenticateAsync(context, credentials, cancellationToken);
        }

        public ValueTask<ScramCredentials?> FindScramCredentialsAsync(ISmtpSessionContext context, string userName, CancellationToken cancellationToken)
        {
            _calls.Enqueue("SCRAM lookup");
            return forgeScramServerKey ? ForgeAsync(inner.FindScramCredentialsAsync(context, userName, cancellationToken))
                : inner.FindScramCredentialsAsync(context, userName, cancellationToken);
        }

        private static async ValueTask<ScramCredentials?> ForgeAsync(ValueTask<ScramCredentials?> lookup)
        {
            if (await lookup is not { } real)
            {
                return null;
            }

            byte[] serverKey = real.ServerKey.ToArray();
            serverKey[0] ^= 0x01;
            return new ScramCredentials(real.Salt.Span, real.IterationCount, real.StoredKey.Span, serverKey);
        }
    }
}
