using System.Text;
using Smtp.Core.Auth;

namespace Smtp.Core.Tests.Auth;

public class OAuthTests
{
    // RFC 7628 §4.1 / §4.3 (IMAP examples; the SASL payloads are protocol-independent).
    private const string RfcToken = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";
    private const string RfcInitialResponse =
        "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
    private const string RfcErrorChallenge =
        "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=";

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static IServerSaslMechanism RfcMechanism() =>
        SaslMechanisms.CreateOAuthBearer("example_scope", "https://example.com/.well-known/openid-configuration");

    [Test]
    public void OAuthBearer_client_produces_the_rfc7628_initial_response()
    {
        using var client = new OAuthClientExchange(SaslClientCredentials.FromAccessToken("user@example.com", RfcToken, "server.example.com", 143), oauthBearer: true);
        Assert.That(Convert.ToBase64String(client.Start().Response.Span), Is.EqualTo(RfcInitialResponse));
    }

    [Test]
    public void OAuthBearer_server_parses_the_rfc7628_initial_response()
    {
        SaslStep step = RfcMechanism().CreateExchange("mx").Respond(Convert.FromBase64String(RfcInitialResponse));
        var creds = (BearerTokenSaslCredentials)step.Credentials!;
        Assert.That((creds.UserName, creds.Token, creds.Host, creds.Port), Is.EqualTo(("user@example.com", RfcToken, "server.example.com", (int?)143)));
        Assert.That(creds.ToString(), Does.Not.Contain(RfcToken));
    }

    [Test]
    public void OAuthBearer_refused_token_gets_the_rfc7628_error_challenge_then_535()
    {
        ISaslServerExchange server = RfcMechanism().CreateExchange("mx");
        Assert.That(server.Respond(Convert.FromBase64String(RfcInitialResponse)).Kind, Is.EqualTo(SaslStepKind.Completed));
        SaslStep error = server.Reject();
        Assert.That(error.Kind, Is.EqualTo(SaslStepKind.Challenge));
        Assert.That(Convert.ToBase64String(error.Challenge.Span), Is.EqualTo(RfcErrorChallenge));

        using var client = new OAuthClientExchange(SaslClientCredentials.FromAccessToken("user@example.com", RfcToken), oauthBearer: true);
        client.Start();
        SaslClientStep ack = client.Respond(error.Challenge.Span);
        Assert.That(Convert.ToBase64String(ack.Response.Span), Is.EqualTo("AQ=="));
        Assert.That(ack.ServerError, Does.Contain("invalid_token"));
        Assert.That(client.IsComplete, Is.False);

        SaslStep final = server.Respond(ack.Response.Span);
        Assert.That(final.FailureReason, Is.EqualTo(SaslFailureReason.AuthenticationFailed));
        Assert.That(final.FailureReply.Code, Is.EqualTo(535));
    }

    [TestCase("good", true)]
    [TestCase("bad", false)]
    public void OAuthBearer_in_process(string token, bool expected)
    {
        using var client = new OAuthClientExchange(SaslClientCredentials.FromAccessToken("u@example.org", token), oauthBearer: true);
        var outcome = SaslLoopback.Run(SaslMechanisms.OAuthBearer.CreateExchange("mx"), client, c => ((BearerTokenSaslCredentials)c).Token == "good");
        Assert.That(outcome.Authenticated, Is.EqualTo(expected));
        Assert.That(outcome.Challenges, Is.EqualTo(expected ? 0 : 1));
    }

    [TestCase("good", true)]
    [TestCase("bad", false)]
    public void XOAuth2_in_process(string token, bool expected)
    {
        using var client = new OAuthClientExchange(SaslClientCredentials.FromAccessToken("u@example.org", token), oauthBearer: false);
        var outcome = SaslLoopback.Run(SaslMechanisms.XOAuth2.CreateExchange("mx"), client,
            c => c.UserName == "u@example.org" && ((BearerTokenSaslCredentials)c).Token == "good");
        Assert.That(outcome.Authenticated, Is.EqualTo(expected));
        if (!expected)
        {
            Assert.That(outcome.LastServerStep.FailureReply.Code, Is.EqualTo(535));
        }
    }

    [Test]
    public void XOAuth2_client_uses_googles_format()
    {
        using var client = new OAuthClientExchange(SaslClientCredentials.FromAccessToken("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg"), oauthBearer: false);
        Assert.That(Encoding.UTF8.GetString(client.Start().Response.Span),
            Is.EqualTo("user=someuser@example.com\u0001auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg\u0001\u0001"));
        SaslClientStep ack = client.Respond(Bytes("{\"status\":\"401\"}"));
        Assert.That(ack.Response.Length, Is.Zero);
    }

    [Test]
    public void XOAuth2_error_challenge_is_googles_json()
    {
        ISaslServerExchange server = SaslMechanisms.CreateXOAuth2("https://mail.google.com/").CreateExchange("mx");
        server.Respond(Bytes("user=a\u0001auth=Bearer t\u0001\u0001"));
        Assert.That(Encoding.UTF8.GetString(server.Reject().Challenge.Span),
            Is.EqualTo("{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://mail.google.com/\"}"));
    }

    [TestCase("n,,\u0001auth=Bearer abc\u0001\u0001", null, TestName = "OAuthBearer_without_authzid_is_accepted_with_empty_user")]
    [TestCase("y,a=u,\u0001AUTH=Bearer abc\u0001auth=bearer  abc==\u0001\u0001", null, TestName = "OAuthBearer_other_keys_are_ignored_and_scheme_is_case_insensitive")]
    [TestCase("p=tls-unique,a=u,\u0001auth=Bearer abc\u0001\u0001", SaslFailureReason.ChannelBindingNotSupported, TestName = "OAuthBearer_channel_binding_is_refused")]
    [TestCase("n,a=u,auth=Bearer abc\u0001\u0001", SaslFailureReason.MalformedMessage, TestName = "OAuthBearer_without_leading_separator_is_malformed")]
    [TestCase("n,a=u,\u0001auth=Bearer abc\u0001", SaslFailureReason.MalformedMessage, TestName = "OAuthBearer_without_final_separator_is_malformed")]
    [TestCase("n,a=u,\u0001host=x\u0001\u0001", SaslFailureReason.MalformedMessage, TestName = "OAuthBearer_without_auth_is_malformed")]
    [TestCase("n,a=u,\u0001auth=Basic abc\u0001\u0001", SaslFailureReason.MalformedMessage, TestName = "OAuthBearer_other_scheme_is_malformed")]
    [TestCase("n,a=u,\u0001auth=Bearer a b\u0001\u0001", SaslFailureReason.MalformedMessage, TestName = "OAuthBearer_token_with_space_is_malformed")]
    [TestCase("n,a=u,\u0001auth=Bearer abc\u0001auth=Bearer abc\u0001\u0001", SaslFailureReason.MalformedMessage, TestName = "OAuthBearer_duplicate_key_is_malformed")]
    [TestCase("n,a=u,\u0001port=99999\u0001auth=Bearer abc\u0001\u0001", SaslFailureReason.MalformedMessage, TestName = "OAuthBearer_bad_port_is_malformed")]
    [TestCase("n,a=u,\u00011x=y\u0001auth=Bearer abc\u0001\u0001", SaslFailureReason.MalformedMessage, TestName = "OAuthBearer_non_alpha_key_is_malformed")]
    [TestCase("n,a=u\u0001auth=Bearer abc\u0001\u0001", SaslFailureReason.MalformedMessage, TestName = "OAuthBearer_truncated_gs2_header_is_malformed")]
    public void OAuthBearer_messages_are_validated(string message, SaslFailureReason? expected)
    {
        SaslStep step = SaslMechanisms.OAuthBearer.CreateExchange("mx").Respond(Bytes(message));
        if (expected is null)
        {
            Assert.That(step.Kind, Is.EqualTo(SaslStepKind.Completed));
            Assert.That(((BearerTokenSaslCredentials)step.Credentials!).Token, Does.StartWith("abc"));
        }
        else
        {
            Assert.That(step.FailureReason, Is.EqualTo(expected));
        }
    }

    [TestCase("user=a\u0001auth=Bearer t\u0001", TestName = "XOAuth2_without_final_separator_is_malformed")]
    [TestCase("auth=Bearer t\u0001\u0001", TestName = "XOAuth2_without_user_is_malformed")]
    [TestCase("user=\u0001auth=Bearer t\u0001\u0001", TestName = "XOAuth2_with_empty_user_is_malformed")]
    [TestCase("user=a\u0001\u0001", TestName = "XOAuth2_without_auth_is_malformed")]
    [TestCase("user=a\u0001auth=Bearer\u0001\u0001", TestName = "XOAuth2_without_token_is_malformed")]
    public void XOAuth2_messages_are_validated(string message)
    {
        Assert.That(SaslMechanisms.XOAuth2.CreateExchange("mx").Respond(Bytes(message)).FailureReason, Is.EqualTo(SaslFailureReason.MalformedMessage));
    }

    [Test]
    public void XOAuth2_accepts_an_internationalised_user()
    {
        SaslStep step = SaslMechanisms.XOAuth2.CreateExchange("mx").Respond(Bytes("user=j\u00fcrgen@b\u00fccher.example\u0001auth=Bearer t\u0001\u0001"));
        Assert.That(step.Credentials!.UserName, Is.EqualTo("j\u00fcrgen@b\u00fccher.example"));
    }

    [Test]
    public void OAuth_bad_utf8_is_malformed()
    {
        byte[] message = [.. Bytes("n,a="), 0xFF, .. Bytes(",\u0001auth=Bearer t\u0001\u0001")];
        Assert.That(SaslMechanisms.OAuthBearer.CreateExchange("mx").Respond(message).FailureReason, Is.EqualTo(SaslFailureReason.MalformedMessage));
    }
}
