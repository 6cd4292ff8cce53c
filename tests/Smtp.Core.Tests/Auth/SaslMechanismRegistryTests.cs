using Smtp.Core.Auth;

namespace Smtp.Core.Tests.Auth;

public class SaslMechanismRegistryTests
{
    [Test]
    public void Default_registry_offers_scram_plain_login_and_hides_cleartext_without_tls()
    {
        var registry = SaslMechanismRegistry.CreateDefault();
        Assert.That(registry.GetAdvertisedNames(isSecure: true), Is.EqualTo(new[] { "SCRAM-SHA-256", "PLAIN", "LOGIN" }));
        Assert.That(registry.GetAdvertisedNames(isSecure: false), Is.EqualTo(new[] { "SCRAM-SHA-256" }));
        Assert.That(registry.TryGet("plain", isSecure: false, out _), Is.False);
        Assert.That(registry.TryGet("plain", isSecure: true, out var plain), Is.True);
        Assert.That(plain!.Name, Is.EqualTo("PLAIN"));
    }

    [Test]
    public void Lookup_is_case_insensitive_and_unknown_names_are_not_found()
    {
        var registry = SaslMechanismRegistry.CreateDefault();
        Assert.That(registry.TryGet("scram-sha-256", isSecure: false, out var scram), Is.True);
        Assert.That(scram!.CreateExchange("mx").Mechanism, Is.EqualTo("SCRAM-SHA-256"));
        Assert.That(registry.TryGet("GSSAPI", isSecure: true, out _), Is.False);
        Assert.That(registry.TryGet("Scram-Sha-256"u8, isSecure: false, out var fromBytes), Is.True);
        Assert.That(fromBytes, Is.SameAs(scram));
        Assert.That(registry.TryGet("LOGIN"u8, isSecure: false, out _), Is.False);
        Assert.That(registry.TryGet("LOGIN"u8, isSecure: true, out _), Is.True);
        Assert.That(registry.TryGet("LOGI"u8, isSecure: true, out _), Is.False);
        Assert.That(registry.TryGet([0xC3, 0xA9], isSecure: true, out _), Is.False);
    }

    [Test]
    public void Host_can_switch_off_add_and_replace_mechanisms()
    {
        var registry = SaslMechanismRegistry.CreateDefault();
        Assert.That(registry.Remove("login"), Is.True);
        Assert.That(registry.Remove("LOGIN"), Is.False);
        registry.Add(SaslMechanisms.CramMd5).Add(SaslMechanisms.OAuthBearer);
        var custom = new SaslServerMechanism("PLAIN", requiresTls: false, _ => new PlainServerExchange());
        registry.Add(custom);
        Assert.That(registry.GetAdvertisedNames(isSecure: false), Is.EqualTo(new[] { "SCRAM-SHA-256", "PLAIN", "CRAM-MD5" }));
        Assert.That(registry.Mechanisms[1], Is.SameAs(custom));
    }

    [TestCase("")]
    [TestCase("lower")]
    [TestCase("THIS-NAME-IS-FAR-TOO-LONG")]
    [TestCase("SP ACE")]
    public void Invalid_mechanism_names_are_refused(string name)
    {
        Assert.Throws<ArgumentException>(() => _ = new SaslServerMechanism(name, false, _ => new PlainServerExchange()));
    }

    [Test]
    public void Client_picks_the_strongest_offered_mechanism()
    {
        var password = SaslClientCredentials.FromPassword("u", "p");
        Assert.That(SaslClient.SelectMechanism(["LOGIN", "PLAIN", "CRAM-MD5", "SCRAM-SHA-256"], password, true), Is.EqualTo("SCRAM-SHA-256"));
        Assert.That(SaslClient.SelectMechanism(["login", "plain", "cram-md5"], password, true), Is.EqualTo("CRAM-MD5"));
        Assert.That(SaslClient.SelectMechanism(["LOGIN", "PLAIN"], password, true), Is.EqualTo("PLAIN"));
        Assert.That(SaslClient.SelectMechanism(["LOGIN", "XOAUTH2"], password, true), Is.EqualTo("LOGIN"));
        Assert.That(SaslClient.SelectMechanism(["LOGIN", "PLAIN"], password, allowCleartext: false), Is.Null);
        Assert.That(SaslClient.SelectMechanism(["GSSAPI"], password, true), Is.Null);

        var token = SaslClientCredentials.FromAccessToken("u", "t");
        Assert.That(SaslClient.SelectMechanism(["PLAIN", "XOAUTH2", "OAUTHBEARER"], token, true), Is.EqualTo("OAUTHBEARER"));
        Assert.That(SaslClient.SelectMechanism(["PLAIN", "XOAUTH2"], token, true), Is.EqualTo("XOAUTH2"));
        Assert.That(SaslClient.SelectMechanism(["SCRAM-SHA-256"], token, true), Is.Null);
    }

    [Test]
    public void Client_creates_exchanges_that_fit_the_credentials()
    {
        var password = SaslClientCredentials.FromPassword("u", "p");
        var token = SaslClientCredentials.FromAccessToken("u", "t");
        foreach (string name in SaslClient.SupportedMechanisms)
        {
            bool forToken = name is "OAUTHBEARER" or "XOAUTH2";
            Assert.That(SaslClient.TryCreate(name.ToLowerInvariant(), forToken ? token : password, out var exchange), Is.True, name);
            Assert.That(exchange!.Mechanism, Is.EqualTo(name));
            Assert.That(SaslClient.TryCreate(name, forToken ? password : token, out _), Is.False, name);
            exchange.Dispose();
        }

        Assert.That(password.ToString(), Does.Not.Contain("p)").And.Not.Contain("=p"));
        Assert.That(token.ToString(), Does.Not.Contain("=t"));
    }

    [Test]
    public void Client_credentials_refuse_separators_without_echoing_the_secret()
    {
        var ex = Assert.Throws<ArgumentException>(() => SaslClientCredentials.FromPassword("u", "se\0cret"));
        Assert.That(ex!.Message, Does.Not.Contain("cret"));
        Assert.Throws<ArgumentException>(() => SaslClientCredentials.FromPassword("u\0x", "p"));
        Assert.Throws<ArgumentException>(() => SaslClientCredentials.FromAccessToken("u", "to\u0001ken"));
        Assert.Throws<ArgumentException>(() => SaslClientCredentials.FromAccessToken("u\u0001", "token"));
        Assert.Throws<ArgumentOutOfRangeException>(() => SaslClientCredentials.FromAccessToken("u", "token", "h", 70000));
    }

    [Test]
    public void Every_builtin_mechanism_works_end_to_end_through_the_public_api()
    {
        var stored = ScramCredentials.FromPassword("pw");
        var registry = SaslMechanismRegistry.CreateDefault().Add(SaslMechanisms.CramMd5).Add(SaslMechanisms.XOAuth2).Add(SaslMechanisms.OAuthBearer);
        foreach (var mechanism in registry.Mechanisms)
        {
            bool forToken = mechanism.Name is "OAUTHBEARER" or "XOAUTH2";
            var creds = forToken ? SaslClientCredentials.FromAccessToken("u", "tok") : SaslClientCredentials.FromPassword("u", "pw");
            Assert.That(SaslClient.TryCreate(mechanism.Name, creds, out var client), Is.True);
            using (client)
            {
                var outcome = SaslLoopback.Run(mechanism.CreateExchange("mx.example.org"), client!, c => c switch
                {
                    PasswordSaslCredentials p => p.Password == "pw",
                    CramMd5SaslCredentials cram => cram.Verify("pw"),
                    ScramSaslCredentials => true,
                    BearerTokenSaslCredentials b => b.Token == "tok",
                    _ => false,
                }, _ => stored);
                Assert.That(outcome.Authenticated, Is.True, mechanism.Name);
                Assert.That(outcome.ClientComplete, Is.True, mechanism.Name);
                Assert.That(outcome.Credentials!.UserName, Is.EqualTo("u"), mechanism.Name);
            }
        }
    }
}
