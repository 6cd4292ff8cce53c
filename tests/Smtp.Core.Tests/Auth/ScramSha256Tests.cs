using System.Security.Cryptography;
using System.Text;
using Smtp.Core.Auth;

namespace Smtp.Core.Tests.Auth;

public class ScramSha256Tests
{
    // RFC 7677 §3.
    private const string ClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string ServerNoncePart = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string Salt = "W22ZaJ0SNY7soEsUEjb6gQ==";
    private const string ClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private const string ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string ClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string ServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static ScramCredentials PencilCredentials() =>
        ScramCredentials.FromPassword("pencil", Convert.FromBase64String(Salt), 4096);

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Test]
    public void Client_produces_the_rfc7677_messages_byte_for_byte()
    {
        using var client = new ScramClientExchange(SaslClientCredentials.FromPassword("user", "pencil"), ClientNonce);

        SaslClientStep first = client.Start();
        Assert.That(Text(first.Response), Is.EqualTo(ClientFirst));

        SaslClientStep final = client.Respond(Bytes(ServerFirst));
        Assert.That(final.Kind, Is.EqualTo(SaslClientStepKind.Response));
        Assert.That(Text(final.Response), Is.EqualTo(ClientFinal));
        Assert.That(client.IsComplete, Is.False);

        SaslClientStep ack = client.Respond(Bytes(ServerFinal));
        Assert.That(ack.Kind, Is.EqualTo(SaslClientStepKind.Response));
        Assert.That(ack.Response.Length, Is.Zero);
        Assert.That(client.IsComplete, Is.True);
    }

    [Test]
    public void Server_produces_the_rfc7677_messages_byte_for_byte()
    {
        var server = new ScramServerExchange(ServerNoncePart);

        SaslStep step = server.Respond(Bytes(ClientFirst));
        Assert.That(step.Kind, Is.EqualTo(SaslStepKind.NeedCredentials));
        Assert.That(step.UserName, Is.EqualTo("user"));
        Assert.That(step.AuthorizationId, Is.Null);

        step = server.SupplyCredentials(PencilCredentials());
        Assert.That(step.Kind, Is.EqualTo(SaslStepKind.Challenge));
        Assert.That(Text(step.Challenge), Is.EqualTo(ServerFirst));

        step = server.Respond(Bytes(ClientFinal));
        Assert.That(step.Kind, Is.EqualTo(SaslStepKind.Challenge));
        Assert.That(Text(step.Challenge), Is.EqualTo(ServerFinal));

        step = server.Respond([]);
        Assert.That(step.Kind, Is.EqualTo(SaslStepKind.Completed));
        Assert.That(step.Credentials, Is.TypeOf<ScramSaslCredentials>());
        Assert.That(step.Credentials!.UserName, Is.EqualTo("user"));
    }

    [Test]
    public void Client_and_server_agree_with_the_right_password()
    {
        var stored = ScramCredentials.FromPassword("correct horse");
        using var client = new ScramClientExchange(SaslClientCredentials.FromPassword("alice", "correct horse", "bob"));
        var outcome = SaslLoopback.Run(new ScramServerExchange(), client, _ => true, user => user == "alice" ? stored : null);

        Assert.That(outcome.Authenticated, Is.True);
        Assert.That(outcome.ClientComplete, Is.True);
        Assert.That(outcome.Credentials!.AuthorizationId, Is.EqualTo("bob"));
    }

    [Test]
    public void Auth_without_initial_response_gets_an_empty_challenge_then_runs_the_same_exchange()
    {
        var stored = ScramCredentials.FromPassword("pw");
        var server = new ScramServerExchange();
        using var client = new ScramClientExchange(SaslClientCredentials.FromPassword("alice", "pw"));
        var outcome = SaslLoopback.Run(server, client, _ => true, _ => stored, sendInitialResponse: false);

        // Empty 334, server-first, server-final.
        Assert.That(outcome.Challenges, Is.EqualTo(3));
        Assert.That(outcome.Authenticated, Is.True);
    }

    [Test]
    public void Wrong_password_fails_with_535()
    {
        var stored = ScramCredentials.FromPassword("correct horse");
        using var client = new ScramClientExchange(SaslClientCredentials.FromPassword("alice", "battery staple"));
        var outcome = SaslLoopback.Run(new ScramServerExchange(), client, _ => true, _ => stored);

        Assert.That(outcome.Authenticated, Is.False);
        Assert.That(outcome.LastServerStep.FailureReason, Is.EqualTo(SaslFailureReason.AuthenticationFailed));
        Assert.That(outcome.LastServerStep.FailureReply.Code, Is.EqualTo(535));
        Assert.That(outcome.LastServerStep.FailureReply.EnhancedCode, Is.EqualTo("5.7.8"));
    }

    [Test]
    public void Unknown_user_fails_like_a_wrong_password_with_a_stable_salt()
    {
        string SaltFor()
        {
            var server = new ScramServerExchange();
            server.Respond(Bytes("n,,n=ghost,r=abc"));
            return Text(server.SupplyCredentials(null).Challenge).Split(',')[1];
        }

        string firstSalt = SaltFor();
        string secondSalt = SaltFor();
        Assert.That(firstSalt, Is.EqualTo(secondSalt));

        using var client = new ScramClientExchange(SaslClientCredentials.FromPassword("ghost", "anything"));
        var outcome = SaslLoopback.Run(new ScramServerExchange(), client, _ => true, _ => null);
        Assert.That(outcome.LastServerStep.FailureReason, Is.EqualTo(SaslFailureReason.AuthenticationFailed));
    }

    [Test]
    public void User_names_with_comma_and_equals_are_escaped_and_restored()
    {
        const string user = "a,b=c";
        var stored = ScramCredentials.FromPassword("pw");
        using var client = new ScramClientExchange(SaslClientCredentials.FromPassword(user, "pw"), "nonce");
        Assert.That(Text(client.Start().Response), Is.EqualTo("n,,n=a=2Cb=3Dc,r=nonce"));

        using var client2 = new ScramClientExchange(SaslClientCredentials.FromPassword(user, "pw"));
        var outcome = SaslLoopback.Run(new ScramServerExchange(), client2, _ => true, name => name == user ? stored : null);
        Assert.That(outcome.Authenticated, Is.True);
        Assert.That(outcome.Credentials!.UserName, Is.EqualTo(user));
    }

    [Test]
    public void Non_ascii_space_in_password_is_saslprepped_on_both_sides()
    {
        // U+00A0 maps to U+0020 (RFC 4013 §2.1), so either spelling authenticates.
        var stored = ScramCredentials.FromPassword("pass word");
        using var client = new ScramClientExchange(SaslClientCredentials.FromPassword("u", "pass\u00A0word"));
        Assert.That(SaslLoopback.Run(new ScramServerExchange(), client, _ => true, _ => stored).Authenticated, Is.True);
    }

    [TestCase("p=tls-unique,,n=user,r=abc", SaslFailureReason.ChannelBindingNotSupported)]
    [TestCase("y,,n=user,r=abc", SaslFailureReason.None)]
    [TestCase("x,,n=user,r=abc", SaslFailureReason.MalformedMessage)]
    [TestCase("n,n=user,r=abc", SaslFailureReason.MalformedMessage)]
    [TestCase("n,,m=ext,n=user,r=abc", SaslFailureReason.MalformedMessage)]
    [TestCase("n,,n=,r=abc", SaslFailureReason.MalformedMessage)]
    [TestCase("n,,n=us=2Xer,r=abc", SaslFailureReason.MalformedMessage)]
    [TestCase("n,,n=user=,r=abc", SaslFailureReason.MalformedMessage)]
    [TestCase("n,,n=user", SaslFailureReason.MalformedMessage)]
    [TestCase("n,,r=abc,n=user", SaslFailureReason.MalformedMessage)]
    [TestCase("n,,n=user,r=", SaslFailureReason.MalformedMessage)]
    [TestCase("n,,n=user,r=a\u007Fb", SaslFailureReason.MalformedMessage)]
    [TestCase("n,,n=user,r=abc,bad", SaslFailureReason.MalformedMessage)]
    [TestCase("n,,n=user,r=abc,x=ext", SaslFailureReason.None)]
    [TestCase("n,b=x,n=user,r=abc", SaslFailureReason.MalformedMessage)]
    [TestCase("n,", SaslFailureReason.MalformedMessage)]
    [TestCase("", SaslFailureReason.MalformedMessage)]
    public void Client_first_is_validated(string message, SaslFailureReason expected)
    {
        SaslStep step = new ScramServerExchange().Respond(Bytes(message));
        if (expected == SaslFailureReason.None)
        {
            Assert.That(step.Kind, Is.EqualTo(SaslStepKind.NeedCredentials));
        }
        else
        {
            Assert.That(step.Kind, Is.EqualTo(SaslStepKind.Failed));
            Assert.That(step.FailureReason, Is.EqualTo(expected));
        }
    }

    [Test]
    public void Authzid_in_gs2_header_is_reported()
    {
        SaslStep step = new ScramServerExchange().Respond(Bytes("n,a=ad=2Cmin,n=user,r=abc"));
        Assert.That(step.AuthorizationId, Is.EqualTo("ad,min"));
    }

    [Test]
    public void Client_first_with_bad_utf8_is_malformed()
    {
        SaslStep step = new ScramServerExchange().Respond([(byte)'n', (byte)',', (byte)',', (byte)'n', (byte)'=', 0xC3, 0x28, (byte)',', (byte)'r', (byte)'=', (byte)'x']);
        Assert.That(step.FailureReason, Is.EqualTo(SaslFailureReason.MalformedMessage));
        Assert.That(step.FailureReply.Code, Is.EqualTo(501));
        Assert.That(step.FailureReply.EnhancedCode, Is.EqualTo("5.5.2"));
    }

    private static ScramServerExchange ServerAfterServerFirst()
    {
        var server = new ScramServerExchange(ServerNoncePart);
        server.Respond(Bytes(ClientFirst));
        server.SupplyCredentials(PencilCredentials());
        return server;
    }

    [TestCase("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", SaslFailureReason.MalformedMessage, TestName = "Client_final_without_proof_is_malformed")]
    [TestCase("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ", SaslFailureReason.MalformedMessage, TestName = "Client_final_with_bad_base64_proof_is_malformed")]
    [TestCase("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA", SaslFailureReason.MalformedMessage, TestName = "Client_final_with_short_proof_is_malformed")]
    [TestCase("c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", SaslFailureReason.MalformedMessage, TestName = "Client_final_with_other_gs2_header_is_malformed")]
    [TestCase("c=b iws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", SaslFailureReason.MalformedMessage, TestName = "Client_final_with_whitespace_in_base64_is_malformed")]
    [TestCase("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,c=biws,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", SaslFailureReason.MalformedMessage, TestName = "Client_final_with_attributes_out_of_order_is_malformed")]
    [TestCase("c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", SaslFailureReason.AuthenticationFailed, TestName = "Client_final_with_nonce_mismatch_fails_authentication")]
    [TestCase("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", SaslFailureReason.AuthenticationFailed, TestName = "Client_final_with_bad_proof_fails_authentication")]
    public void Client_final_is_validated(string message, SaslFailureReason expected)
    {
        SaslStep step = ServerAfterServerFirst().Respond(Bytes(message));
        Assert.That(step.Kind, Is.EqualTo(SaslStepKind.Failed));
        Assert.That(step.FailureReason, Is.EqualTo(expected));
    }

    [Test]
    public void Non_empty_answer_to_server_final_is_unexpected()
    {
        var server = ServerAfterServerFirst();
        Assert.That(server.Respond(Bytes(ClientFinal)).Kind, Is.EqualTo(SaslStepKind.Challenge));
        Assert.That(server.Respond(Bytes("x")).FailureReason, Is.EqualTo(SaslFailureReason.UnexpectedMessage));
    }

    [Test]
    public void Client_rejects_a_wrong_server_signature()
    {
        using var client = new ScramClientExchange(SaslClientCredentials.FromPassword("user", "pencil"), ClientNonce);
        client.Start();
        client.Respond(Bytes(ServerFirst));
        SaslClientStep step = client.Respond(Bytes("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
        Assert.That(step.Kind, Is.EqualTo(SaslClientStepKind.Failed));
        Assert.That(step.FailureReason, Is.EqualTo(SaslClientFailureReason.ServerNotAuthenticated));
        Assert.That(client.IsComplete, Is.False);
        Assert.That(client.Respond(Bytes(ServerFinal)).FailureReason, Is.EqualTo(SaslClientFailureReason.UnexpectedChallenge));
    }

    [Test]
    public void Client_detects_a_server_that_does_not_know_the_password()
    {
        // A server with other stored keys but the right salt sends a signature the client cannot verify; the
        // server would also refuse the proof, so make it accept by giving it the client's own view instead.
        var impostor = ScramCredentials.FromPassword("pencil", Convert.FromBase64String(Salt), 4096);
        var fakeServerKey = RandomNumberGenerator.GetBytes(32);
        var stored = new ScramCredentials(impostor.Salt.Span, 4096, impostor.StoredKey.Span, fakeServerKey);
        using var client = new ScramClientExchange(SaslClientCredentials.FromPassword("user", "pencil"));
        var outcome = SaslLoopback.Run(new ScramServerExchange(), client, _ => true, _ => stored);

        Assert.That(outcome.Authenticated, Is.False);
        Assert.That(outcome.ClientFailure?.FailureReason, Is.EqualTo(SaslClientFailureReason.ServerNotAuthenticated));
    }

    [TestCase("r=xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", SaslClientFailureReason.ServerNotAuthenticated, TestName = "Client_refuses_a_nonce_that_does_not_extend_its_own")]
    [TestCase("r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", SaslClientFailureReason.ServerNotAuthenticated, TestName = "Client_refuses_a_nonce_without_a_server_part")]
    [TestCase("r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0", SaslClientFailureReason.UnsupportedParameters, TestName = "Client_refuses_zero_iterations")]
    [TestCase("r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000001", SaslClientFailureReason.UnsupportedParameters, TestName = "Client_refuses_excessive_iterations")]
    [TestCase("r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1", SaslClientFailureReason.MalformedChallenge, TestName = "Client_refuses_negative_iterations")]
    [TestCase("r=rOprNGfwEbeRWgbNEkqOxx,s=!!,i=4096", SaslClientFailureReason.MalformedChallenge, TestName = "Client_refuses_bad_salt")]
    [TestCase("m=x,r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", SaslClientFailureReason.UnsupportedParameters, TestName = "Client_refuses_mandatory_extension")]
    [TestCase("e=unknown-user", SaslClientFailureReason.ServerError, TestName = "Client_reports_server_error")]
    [TestCase("s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqOxx,i=4096", SaslClientFailureReason.MalformedChallenge, TestName = "Client_refuses_attributes_out_of_order")]
    public void Client_validates_server_first(string serverFirst, SaslClientFailureReason expected)
    {
        using var client = new ScramClientExchange(SaslClientCredentials.FromPassword("user", "pencil"), ClientNonce);
        client.Start();
        SaslClientStep step = client.Respond(Bytes(serverFirst));
        Assert.That(step.Kind, Is.EqualTo(SaslClientStepKind.Failed));
        Assert.That(step.FailureReason, Is.EqualTo(expected));
    }

    [Test]
    public void Server_error_text_is_passed_to_the_client_caller()
    {
        using var client = new ScramClientExchange(SaslClientCredentials.FromPassword("user", "pencil"), ClientNonce);
        client.Start();
        Assert.That(client.Respond(Bytes("e=other-error")).ServerError, Is.EqualTo("other-error"));
    }

    [Test]
    public void FromPassword_derives_the_keys_of_rfc5802_section_3()
    {
        byte[] salt = Convert.FromBase64String(Salt);
        var creds = ScramCredentials.FromPassword("pencil", salt, 4096);
        byte[] salted = Rfc2898DeriveBytes.Pbkdf2("pencil"u8, salt, 4096, HashAlgorithmName.SHA256, 32);
        byte[] clientKey = HMACSHA256.HashData(salted, "Client Key"u8.ToArray());
        Assert.That(creds.StoredKey.ToArray(), Is.EqualTo(SHA256.HashData(clientKey)));
        Assert.That(creds.ServerKey.ToArray(), Is.EqualTo(HMACSHA256.HashData(salted, "Server Key"u8.ToArray())));
        Assert.That(creds.IterationCount, Is.EqualTo(4096));
        Assert.That(creds.ToString(), Does.Not.Contain("pencil"));
    }

    [Test]
    public void FromPassword_refuses_a_prohibited_password_without_echoing_it()
    {
        var ex = Assert.Throws<ArgumentException>(() => ScramCredentials.FromPassword("sec\u0007ret"));
        Assert.That(ex!.Message, Does.Not.Contain("sec"));
    }
}
