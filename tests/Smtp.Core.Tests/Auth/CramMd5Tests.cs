using System.Text;
using System.Text.RegularExpressions;
using Smtp.Core.Auth;

namespace Smtp.Core.Tests.Auth;

public class CramMd5Tests
{
    // RFC 2195 §2.
    private const string RfcChallenge = "<1896.697170952@postoffice.reston.mci.net>";
    private const string RfcResponse = "tim b913a602c7eda7a495b4e6e7334d3890";

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Test]
    public void Client_answers_the_rfc2195_example()
    {
        using var client = new CramMd5ClientExchange(SaslClientCredentials.FromPassword("tim", "tanstaaftanstaaf"));
        Assert.That(client.Start().Kind, Is.EqualTo(SaslClientStepKind.NoResponse));
        SaslClientStep step = client.Respond(Bytes(RfcChallenge));
        Assert.That(Encoding.UTF8.GetString(step.Response.Span), Is.EqualTo(RfcResponse));
        Assert.That(client.IsComplete, Is.True);
    }

    [Test]
    public void Server_accepts_the_rfc2195_example_and_verifies_the_password()
    {
        var server = new CramMd5ServerExchange(RfcChallenge);
        Assert.That(Encoding.UTF8.GetString(server.Start().Challenge.Span), Is.EqualTo(RfcChallenge));
        SaslStep step = server.Respond(Bytes(RfcResponse));
        var creds = (CramMd5SaslCredentials)step.Credentials!;
        Assert.That(creds.UserName, Is.EqualTo("tim"));
        Assert.That(creds.Challenge, Is.EqualTo(RfcChallenge));
        Assert.That(creds.Verify("tanstaaftanstaaf"), Is.True);
        Assert.That(creds.Verify("tanstaaftanstaaF"), Is.False);
        Assert.That(creds.Verify("tanstaaftanstaaf"u8), Is.True);
    }

    [Test]
    public void Challenge_has_the_random_timestamp_at_host_form()
    {
        string a = CramMd5ServerExchange.CreateChallenge("mx.example.org");
        string b = CramMd5ServerExchange.CreateChallenge("mx.example.org");
        Assert.That(a, Does.Match(@"^<\d+\.\d+@mx\.example\.org>$"));
        Assert.That(a, Is.Not.EqualTo(b));
        Assert.That(CramMd5ServerExchange.CreateChallenge("bad host>"), Does.EndWith("@localhost>"));
    }

    [Test]
    public void Right_and_wrong_passwords_in_process()
    {
        foreach (var (password, expected) in new[] { ("secret", true), ("Secret", false) })
        {
            var mechanism = SaslMechanisms.CramMd5;
            using var client = new CramMd5ClientExchange(SaslClientCredentials.FromPassword("joe user", password));
            var outcome = SaslLoopback.Run(mechanism.CreateExchange("mx.example.org"), client,
                c => c is CramMd5SaslCredentials cram && cram.UserName == "joe user" && cram.Verify("secret"));
            Assert.That(outcome.Authenticated, Is.EqualTo(expected), password);
            if (!expected)
            {
                Assert.That(outcome.LastServerStep.FailureReply.Code, Is.EqualTo(535));
            }
        }
    }

    [TestCase("tim", TestName = "Response_without_digest_is_malformed")]
    [TestCase("tim b913a602c7eda7a495b4e6e7334d389", TestName = "Truncated_digest_is_malformed")]
    [TestCase("tim b913a602c7eda7a495b4e6e7334d3890aa", TestName = "Long_digest_is_malformed")]
    [TestCase("tim g913a602c7eda7a495b4e6e7334d3890", TestName = "Non_hex_digest_is_malformed")]
    [TestCase(" b913a602c7eda7a495b4e6e7334d3890", TestName = "Empty_user_is_malformed")]
    [TestCase("", TestName = "Empty_response_is_malformed")]
    public void Malformed_responses(string response)
    {
        var server = new CramMd5ServerExchange(RfcChallenge);
        server.Start();
        SaslStep step = server.Respond(Bytes(response));
        Assert.That(step.FailureReason, Is.EqualTo(SaslFailureReason.MalformedMessage));
        Assert.That(step.FailureReply.Code, Is.EqualTo(501));
    }

    [Test]
    public void Bad_utf8_user_is_malformed()
    {
        var server = new CramMd5ServerExchange(RfcChallenge);
        server.Start();
        byte[] response = [0xFF, .. Bytes(" b913a602c7eda7a495b4e6e7334d3890")];
        Assert.That(server.Respond(response).FailureReason, Is.EqualTo(SaslFailureReason.MalformedMessage));
    }

    [Test]
    public void Initial_response_is_refused()
    {
        Assert.That(new CramMd5ServerExchange(RfcChallenge).Respond(Bytes(RfcResponse)).FailureReason, Is.EqualTo(SaslFailureReason.UnexpectedMessage));
    }

    [Test]
    public void Upper_case_digest_is_accepted()
    {
        var server = new CramMd5ServerExchange(RfcChallenge);
        server.Start();
        var creds = (CramMd5SaslCredentials)server.Respond(Bytes(RfcResponse.ToUpperInvariant().Replace("TIM", "tim", StringComparison.Ordinal))).Credentials!;
        Assert.That(creds.Verify("tanstaaftanstaaf"), Is.True);
    }

    [Test]
    public void Credentials_never_show_the_digest_or_password_in_text()
    {
        var server = new CramMd5ServerExchange(RfcChallenge);
        server.Start();
        var step = server.Respond(Bytes(RfcResponse));
        Assert.That(step.ToString(), Does.Not.Contain("b913"));
        Assert.That(Regex.IsMatch(step.Credentials!.ToString()!, "b913"), Is.False);
    }
}
