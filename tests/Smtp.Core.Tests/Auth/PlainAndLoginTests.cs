using System.Text;
using Smtp.Core.Auth;

namespace Smtp.Core.Tests.Auth;

public class PlainAndLoginTests
{
    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    // RFC 4616 §4 examples.
    [TestCase("\0tim\0tanstaaftanstaaf", null, "tim", "tanstaaftanstaaf")]
    [TestCase("Ursel\0Kurt\0xipj3plmq", "Ursel", "Kurt", "xipj3plmq")]
    [TestCase("\0J\u00fcrgen\0p\u00e4ss w\u00f6rd", null, "J\u00fcrgen", "p\u00e4ss w\u00f6rd")]
    public void Plain_parses_the_rfc4616_examples(string message, string? authzid, string user, string password)
    {
        SaslStep step = new PlainServerExchange().Respond(Bytes(message));
        Assert.That(step.Kind, Is.EqualTo(SaslStepKind.Completed));
        var creds = (PasswordSaslCredentials)step.Credentials!;
        Assert.That(creds.AuthorizationId, Is.EqualTo(authzid));
        Assert.That(creds.UserName, Is.EqualTo(user));
        Assert.That(creds.Password, Is.EqualTo(password));
        Assert.That(creds.ToString(), Does.Not.Contain(password));
        Assert.That(step.ToString(), Does.Not.Contain(password));
    }

    [TestCase("tim\0secret", TestName = "Plain_with_one_nul_is_malformed")]
    [TestCase("timsecret", TestName = "Plain_without_nul_is_malformed")]
    [TestCase("\0\0secret", TestName = "Plain_with_empty_user_is_malformed")]
    [TestCase("\0tim\0", TestName = "Plain_with_empty_password_is_malformed")]
    [TestCase("\0tim\0sec\0ret", TestName = "Plain_with_three_nuls_is_malformed")]
    [TestCase("", TestName = "Plain_empty_is_malformed")]
    public void Plain_malformed(string message)
    {
        SaslStep step = new PlainServerExchange().Respond(Bytes(message));
        Assert.That(step.FailureReason, Is.EqualTo(SaslFailureReason.MalformedMessage));
        Assert.That(step.FailureReply.ToString(), Does.StartWith("501 5.5.2"));
    }

    [Test]
    public void Plain_with_bad_utf8_password_is_malformed()
    {
        byte[] message = [0, (byte)'t', 0, 0xE2, 0x82];
        Assert.That(new PlainServerExchange().Respond(message).FailureReason, Is.EqualTo(SaslFailureReason.MalformedMessage));
    }

    [Test]
    public void Plain_without_initial_response_sends_an_empty_challenge_then_accepts()
    {
        var server = new PlainServerExchange();
        SaslStep first = server.Start();
        Assert.That(first.Kind, Is.EqualTo(SaslStepKind.Challenge));
        Assert.That(first.Challenge.Length, Is.Zero);
        using var client = new PlainClientExchange(SaslClientCredentials.FromPassword("tim", "pw"));
        var outcome = SaslLoopback.Run(new PlainServerExchange(), client, c => ((PasswordSaslCredentials)c).Password == "pw", sendInitialResponse: false);
        Assert.That(outcome.Authenticated, Is.True);
        Assert.That(outcome.Challenges, Is.EqualTo(1));
    }

    [TestCase("pw", true)]
    [TestCase("wrong", false)]
    public void Plain_in_process(string password, bool expected)
    {
        using var client = new PlainClientExchange(SaslClientCredentials.FromPassword("tim", password, "admin"));
        var outcome = SaslLoopback.Run(SaslMechanisms.Plain.CreateExchange("mx"), client,
            c => c is PasswordSaslCredentials p && p.UserName == "tim" && p.Password == "pw" && p.AuthorizationId == "admin");
        Assert.That(outcome.Authenticated, Is.EqualTo(expected));
        Assert.That(outcome.LastServerStep.Kind, Is.EqualTo(expected ? SaslStepKind.Completed : SaslStepKind.Failed));
    }

    [Test]
    public void Plain_client_sends_authzid_nul_user_nul_password()
    {
        using var client = new PlainClientExchange(SaslClientCredentials.FromPassword("Kurt", "xipj3plmq", "Ursel"));
        Assert.That(client.Start().Response.ToArray(), Is.EqualTo(Bytes("Ursel\0Kurt\0xipj3plmq")));
        Assert.That(client.Respond(Bytes("x")).FailureReason, Is.EqualTo(SaslClientFailureReason.UnexpectedChallenge));

        // A client layer that never called Start can still answer the server's empty 334, once.
        using var late = new PlainClientExchange(SaslClientCredentials.FromPassword("Kurt", "xipj3plmq"));
        Assert.That(late.Respond([]).Response.ToArray(), Is.EqualTo(Bytes("\0Kurt\0xipj3plmq")));
        Assert.That(late.IsComplete, Is.True);
        Assert.That(late.Respond([]).Kind, Is.EqualTo(SaslClientStepKind.Failed));
    }

    [Test]
    public void Client_dispose_zeroes_the_buffer_that_held_the_password()
    {
        var client = new PlainClientExchange(SaslClientCredentials.FromPassword("tim", "pw"));
        ReadOnlyMemory<byte> response = client.Start().Response;
        client.Dispose();
        Assert.That(response.ToArray(), Is.All.EqualTo((byte)0));
    }

    [Test]
    public void Login_asks_username_then_password()
    {
        var server = new LoginServerExchange();
        Assert.That(Encoding.ASCII.GetString(server.Start().Challenge.Span), Is.EqualTo("Username:"));
        Assert.That(Encoding.ASCII.GetString(server.Respond(Bytes("tim")).Challenge.Span), Is.EqualTo("Password:"));
        var creds = (PasswordSaslCredentials)server.Respond(Bytes("secret")).Credentials!;
        Assert.That((creds.UserName, creds.Password, creds.AuthorizationId), Is.EqualTo(("tim", "secret", (string?)null)));
    }

    [Test]
    public void Login_initial_response_is_the_user_name()
    {
        var server = new LoginServerExchange();
        Assert.That(Encoding.ASCII.GetString(server.Respond(Bytes("tim")).Challenge.Span), Is.EqualTo("Password:"));
        Assert.That(server.Respond(Bytes("secret")).Kind, Is.EqualTo(SaslStepKind.Completed));
    }

    [TestCase("pw", true)]
    [TestCase("wrong", false)]
    public void Login_in_process(string password, bool expected)
    {
        using var client = new LoginClientExchange(SaslClientCredentials.FromPassword("tim", password));
        var outcome = SaslLoopback.Run(SaslMechanisms.Login.CreateExchange("mx"), client, c => ((PasswordSaslCredentials)c).Password == "pw");
        Assert.That(outcome.Authenticated, Is.EqualTo(expected));
        Assert.That(outcome.Challenges, Is.EqualTo(2));
    }

    [Test]
    public void Login_empty_or_bad_utf8_answers_are_malformed()
    {
        Assert.That(new LoginServerExchange().Respond([]).FailureReason, Is.EqualTo(SaslFailureReason.MalformedMessage));
        var server = new LoginServerExchange();
        server.Respond(Bytes("tim"));
        Assert.That(server.Respond([0xC0, 0x80]).FailureReason, Is.EqualTo(SaslFailureReason.MalformedMessage));
    }

    [Test]
    public void Login_client_refuses_a_third_challenge()
    {
        using var client = new LoginClientExchange(SaslClientCredentials.FromPassword("tim", "pw"));
        Assert.That(client.Start().Kind, Is.EqualTo(SaslClientStepKind.NoResponse));
        Assert.That(client.Respond(Bytes("Username:")).Response.ToArray(), Is.EqualTo(Bytes("tim")));
        Assert.That(client.Respond(Bytes("Password:")).Response.ToArray(), Is.EqualTo(Bytes("pw")));
        Assert.That(client.Respond(Bytes("Again:")).FailureReason, Is.EqualTo(SaslClientFailureReason.UnexpectedChallenge));
    }

    [Test]
    public void Exchange_methods_called_out_of_order_throw()
    {
        var server = new PlainServerExchange();
        Assert.Throws<InvalidOperationException>(() => server.Reject());
        Assert.Throws<InvalidOperationException>(() => server.SupplyCredentials(null));
        server.Respond(Bytes("\0a\0b"));
        Assert.Throws<InvalidOperationException>(() => server.Start());
        Assert.Throws<InvalidOperationException>(() => server.Respond(Bytes("\0a\0b")));
        Assert.That(server.Reject().FailureReason, Is.EqualTo(SaslFailureReason.AuthenticationFailed));
    }
}
