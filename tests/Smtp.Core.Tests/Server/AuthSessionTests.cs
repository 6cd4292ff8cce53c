using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Smtp.Core.Auth;
using Smtp.Core.Server;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

public sealed class AuthSessionTests
{
    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Unb64(string text) => Encoding.UTF8.GetString(Convert.FromBase64String(text));

    private static InMemoryUserAuthenticator Users() => new InMemoryUserAuthenticator().Add("alice", "wonderland");

    /// <summary>A harness whose server allows AUTH without TLS (the in-memory transport is not TLS).</summary>
    private static SessionHarness Plaintext(Action<SmtpAuthenticationOptions>? configure = null, Action<SmtpServerOptions>? server = null, ISmtpAuthenticator? authenticator = null)
        => new(o =>
        {
            var auth = new SmtpAuthenticationOptions(authenticator ?? Users()) { AllowWithoutTls = true, FailureDelay = TimeSpan.Zero };
            auth.Mechanisms.Add(SaslMechanisms.CramMd5).Add(SaslMechanisms.XOAuth2).Add(SaslMechanisms.OAuthBearer);
            configure?.Invoke(auth);
            o.Authentication = auth;
            server?.Invoke(o);
        });

    [Test]
    public async Task Auth_is_neither_offered_nor_accepted_before_tls_by_default()
    {
        await using var h = new SessionHarness(o => o.Authentication = new SmtpAuthenticationOptions(Users()));
        await h.ReadReplyAsync();
        Assert.That(await h.CommandAsync("EHLO client.test"), Does.Not.Contain("AUTH"));
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland")), Is.EqualTo("538 5.7.11 Encryption required for requested authentication mechanism"));
        Assert.That(await h.CommandAsync("AUTH SCRAM-SHA-256"), Does.StartWith("538 5.7.11"));
    }

    [Test]
    public async Task Auth_is_not_available_without_an_authenticator()
    {
        await using var h = new SessionHarness();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland")), Does.StartWith("502 5.5.1"));
        Assert.That(await h.CommandAsync("MAIL FROM:<a@example.org> AUTH=<>"), Does.StartWith("555 5.5.4"), "AUTH= belongs to an extension not offered");
    }

    [Test]
    public async Task Ehlo_lists_the_registered_mechanisms_in_order()
    {
        await using var h = Plaintext();
        await h.ReadReplyAsync();
        string ehlo = await h.CommandAsync("EHLO client.test");
        Assert.That(ehlo.Split('\n'), Does.Contain("250-AUTH SCRAM-SHA-256 PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER").Or.Contain("250 AUTH SCRAM-SHA-256 PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER"));
    }

    [Test]
    public async Task A_mechanism_switched_off_is_neither_offered_nor_accepted()
    {
        await using var h = Plaintext(a => a.Mechanisms.Remove("LOGIN"));
        await h.ReadReplyAsync();
        Assert.That(await h.CommandAsync("EHLO client.test"), Does.Not.Contain("LOGIN"));
        Assert.That(await h.CommandAsync("AUTH LOGIN"), Is.EqualTo("504 5.5.4 Unrecognized authentication type"));
    }

    [Test]
    public async Task Scram_is_not_offered_by_an_authenticator_without_a_credential_store()
    {
        await using var h = Plaintext(authenticator: new TokenAuthenticator("t"));
        await h.ReadReplyAsync();
        Assert.That(await h.CommandAsync("EHLO client.test"), Does.Not.Contain("SCRAM"));
        Assert.That(await h.CommandAsync("AUTH SCRAM-SHA-256"), Does.StartWith("504 5.5.4"));
    }

    [Test]
    public async Task Plain_with_an_initial_response_authenticates_and_the_mailbox_filter_sees_the_identity()
    {
        string? identity = null;
        await using var h = Plaintext(server: o => o.MailboxFilter = MailboxFilter.FromDelegates(
            canAcceptFrom: (c, _, _) => { identity = c.AuthenticatedIdentity; return ValueTask.FromResult(SmtpResult.Accept()); }));
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland")), Is.EqualTo("235 2.7.0 Authentication successful"));
        Assert.That(await h.CommandAsync("MAIL FROM:<alice@example.org>"), Does.StartWith("250"));
        Assert.That(identity, Is.EqualTo("alice"));
    }

    [Test]
    public async Task Plain_without_an_initial_response_gets_an_empty_challenge()
    {
        await using var h = Plaintext();
        await h.GreetAsync();
        await h.SendAsync("AUTH PLAIN\r\n");
        Assert.That(await h.ReadLineAsync(), Is.EqualTo("334 "));
        Assert.That(await h.CommandAsync(B64("\0alice\0wonderland")), Does.StartWith("235 2.7.0"));
    }

    [Test]
    public async Task Plain_with_an_empty_initial_response_is_malformed()
    {
        await using var h = Plaintext();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("AUTH PLAIN ="), Does.StartWith("501 5.5.2"));
    }

    [Test]
    public async Task Login_exchanges_user_name_and_password_on_continuation_lines()
    {
        await using var h = Plaintext();
        await h.GreetAsync();
        string first = await h.CommandAsync("AUTH LOGIN");
        Assert.That(first, Does.StartWith("334 "));
        Assert.That(Unb64(first[4..]), Does.StartWith("Username"));
        string second = await h.CommandAsync(B64("alice"));
        Assert.That(Unb64(second[4..]), Does.StartWith("Password"));
        Assert.That(await h.CommandAsync(B64("wonderland")), Does.StartWith("235 2.7.0"));
    }

    [Test]
    public async Task Cram_md5_is_verified_against_the_stored_password()
    {
        await using var h = Plaintext();
        await h.GreetAsync();
        string challenge = await h.CommandAsync("AUTH CRAM-MD5");
        Assert.That(challenge, Does.StartWith("334 "));
        byte[] digest = HMACMD5.HashData(Encoding.UTF8.GetBytes("wonderland"), Convert.FromBase64String(challenge[4..]));
        Assert.That(await h.CommandAsync(B64("alice " + Convert.ToHexStringLower(digest))), Does.StartWith("235 2.7.0"));
    }

    [Test]
    public async Task Cram_md5_with_a_wrong_password_is_535()
    {
        await using var h = Plaintext();
        await h.GreetAsync();
        string challenge = await h.CommandAsync("AUTH CRAM-MD5");
        byte[] digest = HMACMD5.HashData("wrong"u8.ToArray(), Convert.FromBase64String(challenge[4..]));
        Assert.That(await h.CommandAsync(B64("alice " + Convert.ToHexStringLower(digest))), Is.EqualTo("535 5.7.8 Authentication credentials invalid"));
    }

    [TestCase("wonderland", "235 2.7.0")]
    [TestCase("looking-glass", "535 5.7.8")]
    public async Task Scram_sha_256_runs_the_full_exchange_with_the_library_client(string password, string expected)
    {
        await using var h = Plaintext();
        await h.GreetAsync();
        Assert.That(SaslClient.TryCreate("SCRAM-SHA-256", SaslClientCredentials.FromPassword("alice", password), out ISaslClientExchange? client), Is.True);
        using (client)
        {
            SaslClientStep step = client!.Start();
            string reply = await h.CommandAsync("AUTH SCRAM-SHA-256 " + Convert.ToBase64String(step.Response.Span));
            while (reply.StartsWith("334 ", StringComparison.Ordinal))
            {
                step = client.Respond(Convert.FromBase64String(reply[4..]));
                reply = step.Kind == SaslClientStepKind.Failed
                    ? await h.CommandAsync("*")
                    : await h.CommandAsync(Convert.ToBase64String(step.Response.Span));
            }

            Assert.That(reply, Does.StartWith(expected));
            if (expected.StartsWith('2'))
            {
                Assert.That(client.IsComplete, Is.True, "the client verified the server signature");
            }
        }
    }

    [Test]
    public async Task Xoauth2_hands_the_bearer_token_to_the_authenticator()
    {
        await using var h = Plaintext(authenticator: new TokenAuthenticator("good-token"));
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("AUTH XOAUTH2 " + B64("user=bob\u0001auth=Bearer good-token\u0001\u0001")), Does.StartWith("235 2.7.0"));
    }

    [Test]
    public async Task Oauthbearer_refused_token_gets_the_error_challenge_then_535()
    {
        await using var h = Plaintext(authenticator: new TokenAuthenticator("good-token"));
        await h.GreetAsync();
        string challenge = await h.CommandAsync("AUTH OAUTHBEARER " + B64("n,a=bob,\u0001auth=Bearer bad-token\u0001\u0001"));
        Assert.That(challenge, Does.StartWith("334 "));
        Assert.That(Unb64(challenge[4..]), Does.Contain("invalid_token"));

        // RFC 7628 §3.2.3: the client answers the error with a dummy response (%x01).
        Assert.That(await h.CommandAsync(B64("\u0001")), Does.StartWith("535 5.7.8"));
    }

    [Test]
    public async Task An_asterisk_cancels_the_exchange_with_501_5_7_0()
    {
        await using var h = Plaintext();
        await h.GreetAsync();
        await h.CommandAsync("AUTH LOGIN");
        Assert.That(await h.CommandAsync("*"), Is.EqualTo("501 5.7.0 Authentication cancelled"));
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland")), Does.StartWith("235"), "a cancel is not a failure");
    }

    [Test]
    public async Task Invalid_base64_is_501_5_5_2_in_the_initial_response_and_on_a_continuation_line()
    {
        await using var h = Plaintext();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("AUTH PLAIN not*base64"), Does.StartWith("501 5.5.2"));
        await h.CommandAsync("AUTH LOGIN");
        Assert.That(await h.CommandAsync("abc"), Does.StartWith("501 5.5.2"));
        Assert.That(await h.CommandAsync("NOOP"), Does.StartWith("250"));
    }

    [Test]
    public async Task An_unknown_mechanism_is_504_5_5_4()
    {
        await using var h = Plaintext();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("AUTH GSSAPI"), Is.EqualTo("504 5.5.4 Unrecognized authentication type"));
    }

    [Test]
    public async Task Auth_after_success_and_inside_a_transaction_and_before_ehlo_is_503()
    {
        await using var h = Plaintext();
        await h.ReadReplyAsync();
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland")), Does.StartWith("503 5.5.1"));
        Assert.That(await h.CommandAsync("HELO client.test"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland")), Does.StartWith("503 5.5.1"), "AUTH is an EHLO extension");
        Assert.That(await h.CommandAsync("EHLO client.test"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("MAIL FROM:<a@example.org>"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland")), Does.StartWith("503 5.5.1"));
        Assert.That(await h.CommandAsync("RSET"), Does.StartWith("250"));
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland")), Does.StartWith("235"));
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland")), Is.EqualTo("503 5.5.1 Bad sequence of commands: already authenticated"));
    }

    [Test]
    public async Task Wrong_credentials_are_535_after_a_delay_that_grows_with_each_failure()
    {
        await using var h = Plaintext(a => { a.FailureDelay = TimeSpan.FromSeconds(2); a.MaxFailures = 5; });
        await h.GreetAsync();

        await h.SendAsync("AUTH PLAIN " + B64("\0alice\0wrong") + "\r\n");
        Task<string> first = h.ReadReplyAsync();
        await Task.Delay(200);
        Assert.That(first.IsCompleted, Is.False, "the reply waits for the delay");
        h.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(await first, Is.EqualTo("535 5.7.8 Authentication credentials invalid"));

        await h.SendAsync("AUTH PLAIN " + B64("\0alice\0wrong") + "\r\n");
        Task<string> second = h.ReadReplyAsync();
        await Task.Delay(100);
        h.Time.Advance(TimeSpan.FromSeconds(2));
        await Task.Delay(200);
        Assert.That(second.IsCompleted, Is.False, "the second failure waits twice as long");
        h.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(await second, Does.StartWith("535 5.7.8"));
    }

    [Test]
    public async Task The_failure_that_reaches_the_limit_is_answered_421_and_the_connection_closes()
    {
        await using var h = Plaintext(a => a.MaxFailures = 3);
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0x")), Does.StartWith("535 5.7.8"));
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("\0mallory\0y")), Does.StartWith("535 5.7.8"));
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0z")), Is.EqualTo("421 4.7.0 Too many authentication failures, closing connection"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
    }

    [Test]
    public async Task A_temporary_failure_of_the_host_is_454_and_does_not_count()
    {
        await using var h = Plaintext(a => a.MaxFailures = 1, authenticator: new FailingAuthenticator(throws: false));
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland")), Is.EqualTo("454 4.7.0 Temporary authentication failure"));
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland")), Does.StartWith("454 4.7.0"));
    }

    [Test]
    public async Task An_authenticator_that_throws_is_answered_454_and_the_session_goes_on()
    {
        await using var h = Plaintext(authenticator: new FailingAuthenticator(throws: true));
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland")), Does.StartWith("454 4.7.0"));
        Assert.That(await h.CommandAsync("NOOP"), Does.StartWith("250"));
    }

    [Test]
    public async Task An_authorization_identity_other_than_the_user_is_refused_by_the_in_memory_users()
    {
        await using var h = Plaintext();
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("bob\0alice\0wonderland")), Does.StartWith("535 5.7.8"));
        Assert.That(await h.CommandAsync("AUTH PLAIN " + B64("alice\0alice\0wonderland")), Does.StartWith("235"));
    }

    [Test]
    public async Task An_endpoint_that_requires_authentication_answers_mail_530_until_auth()
    {
        var endpoint = new SmtpEndpoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0)) { RequireAuthentication = true };
        var options = new SmtpServerOptions { ServerName = "mx.test", Authentication = new SmtpAuthenticationOptions(Users()) { AllowWithoutTls = true } };
        await using var h = new TlsSessionHarness(endpoint, server: new SmtpServer(options));
        Assert.That(await h.Client.ReadReplyAsync(), Does.StartWith("220"));
        await h.Client.CommandAsync("EHLO client.test");
        Assert.That(await h.Client.CommandAsync("MAIL FROM:<alice@example.org>"), Is.EqualTo("530 5.7.0 Authentication required"));
        Assert.That(await h.Client.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland")), Does.StartWith("235"));
        Assert.That(await h.Client.CommandAsync("MAIL FROM:<alice@example.org>"), Does.StartWith("250"));
    }

    [Test]
    public async Task Mail_auth_parameter_is_kept_only_for_an_authenticated_session_and_never_refused()
    {
        var seen = new List<string?>();
        await using var h = Plaintext(server: o => o.MailboxFilter = MailboxFilter.FromDelegates(
            canAcceptFrom: (_, e, _) => { seen.Add(e.AuthorizedSender); return ValueTask.FromResult(SmtpResult.Accept()); }));
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("MAIL FROM:<a@example.org> AUTH=someone+40example.org"), Does.StartWith("250"));
        await h.CommandAsync("RSET");
        Assert.That(await h.CommandAsync("MAIL FROM:<a@example.org>"), Does.StartWith("250"));
        await h.CommandAsync("RSET");
        await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland"));
        Assert.That(await h.CommandAsync("MAIL FROM:<a@example.org> AUTH=alice+40example.org"), Does.StartWith("250"));
        await h.CommandAsync("RSET");
        Assert.That(await h.CommandAsync("MAIL FROM:<a@example.org> AUTH=<>"), Does.StartWith("250"));
        Assert.That(seen, Is.EqualTo(new string?[] { "<>", null, "alice@example.org", "<>" }));
    }

    [Test]
    public async Task An_auth_command_longer_than_512_octets_is_accepted_but_other_commands_are_not()
    {
        string token = new('x', 3000);
        await using var h = Plaintext(authenticator: new TokenAuthenticator(token));
        await h.GreetAsync();
        Assert.That(await h.CommandAsync("NOOP " + new string('y', 600)), Does.StartWith("500 5.5.2"));
        Assert.That(await h.CommandAsync("AUTH XOAUTH2 " + B64("user=bob\u0001auth=Bearer " + token + "\u0001\u0001")), Does.StartWith("235 2.7.0"));
    }

    [Test]
    public async Task A_continuation_line_over_the_auth_limit_is_refused_and_the_session_recovers()
    {
        await using var h = Plaintext();
        await h.GreetAsync();
        await h.CommandAsync("AUTH PLAIN");
        Assert.That(await h.CommandAsync(new string('A', 13000)), Does.StartWith("500 5.5.6"));
        Assert.That(await h.CommandAsync("NOOP"), Does.StartWith("250"));
    }

    [Test]
    public async Task A_client_that_closes_during_the_exchange_ends_the_session()
    {
        await using var h = Plaintext();
        await h.GreetAsync();
        await h.CommandAsync("AUTH LOGIN");
        await h.CloseAsync();
        Assert.That(await h.ServerClosedAsync(), Is.True);
    }

    [Test]
    public async Task The_trace_transcript_never_contains_sasl_data()
    {
        var log = new CapturingLoggerFactory();
        await using (var h = Plaintext(server: o => o.LoggerFactory = log))
        {
            await h.GreetAsync();
            await h.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland"));
        }

        await using (var h = Plaintext(server: o => o.LoggerFactory = log))
        {
            await h.GreetAsync();
            await h.CommandAsync("AUTH LOGIN");
            await h.CommandAsync(B64("alice"));
            await h.CommandAsync(B64("wonderland"));
        }

        await using (var h = new SessionHarness(o => { o.LoggerFactory = log; o.Authentication = new SmtpAuthenticationOptions(Users()); }))
        {
            // AUTH refused (538, no TLS), and the client sends its credentials anyway: read as an unknown command.
            await h.GreetAsync();
            await h.SendAsync("AUTH LOGIN\r\n" + B64("alice") + "\r\n" + B64("wonderland") + "\r\n");
            Assert.That(await h.ReadReplyAsync(), Does.StartWith("538"));
            Assert.That(await h.ReadReplyAsync(), Does.StartWith("500"));
            Assert.That(await h.ReadReplyAsync(), Does.StartWith("500"));
        }

        string all = string.Join("\n", log.Lines);
        Assert.That(all, Does.Contain("AUTH PLAIN ***"));
        Assert.That(all, Does.Contain("AUTH LOGIN"));
        Assert.That(all, Does.Not.Contain(B64("\0alice\0wonderland")));
        Assert.That(all, Does.Not.Contain(B64("wonderland")));
        Assert.That(all, Does.Not.Contain(B64("alice")));
        Assert.That(all, Does.Not.Contain("wonderland"));
    }

    [Test]
    public async Task Auth_is_offered_and_works_after_starttls()
    {
        var options = new SmtpServerOptions { ServerName = "mx.test", Authentication = new SmtpAuthenticationOptions(Users()) };
        await using var h = new TlsSessionHarness(TlsSessionHarness.Endpoint(), server: new SmtpServer(options));
        await h.Client.ReadReplyAsync();
        Assert.That(await h.Client.CommandAsync("EHLO client.test"), Does.Not.Contain("AUTH"));
        await h.Client.CommandAsync("STARTTLS");
        await h.Client.StartTlsAsync();
        string ehlo = await h.Client.CommandAsync("EHLO client.test");
        Assert.That(ehlo, Does.Contain("AUTH SCRAM-SHA-256 PLAIN LOGIN"));
        Assert.That(await h.Client.CommandAsync("AUTH PLAIN " + B64("\0alice\0wonderland")), Does.StartWith("235 2.7.0"));
    }

    private sealed class TokenAuthenticator(string token) : ISmtpAuthenticator
    {
        public ValueTask<SmtpAuthenticationResult> AuthenticateAsync(ISmtpSessionContext context, SaslCredentials credentials, CancellationToken cancellationToken)
            => ValueTask.FromResult(credentials is BearerTokenSaslCredentials bearer && bearer.Token == token
                ? SmtpAuthenticationResult.Authenticated(bearer.UserName.Length > 0 ? bearer.UserName : "token-user")
                : SmtpAuthenticationResult.Invalid());
    }

    private sealed class FailingAuthenticator(bool throws) : ISmtpAuthenticator
    {
        public ValueTask<SmtpAuthenticationResult> AuthenticateAsync(ISmtpSessionContext context, SaslCredentials credentials, CancellationToken cancellationToken)
            => throws ? throw new InvalidOperationException("database down") : ValueTask.FromResult(SmtpAuthenticationResult.TemporaryFailure());
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => this;

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add(formatter(state, exception));
            }
        }
    }
}
