namespace Smtp.Core.Auth;

/// <summary>The built-in server mechanisms.</summary>
public static class SaslMechanisms
{
    /// <summary>PLAIN (RFC 4616). Sends the password in clear, so TLS only.</summary>
    public static IServerSaslMechanism Plain { get; } =
        new SaslServerMechanism(PlainServerExchange.Name, requiresTls: true, _ => new PlainServerExchange());

    /// <summary>LOGIN (draft-murchison-sasl-login). Sends the password in clear, so TLS only.</summary>
    public static IServerSaslMechanism Login { get; } =
        new SaslServerMechanism(LoginServerExchange.Name, requiresTls: true, _ => new LoginServerExchange());

    /// <summary>
    /// CRAM-MD5 (RFC 2195). The password does not cross the wire, but the server must know it, and the
    /// exchange can be attacked offline; offered without TLS only because that is its historical purpose.
    /// </summary>
    public static IServerSaslMechanism CramMd5 { get; } =
        new SaslServerMechanism(CramMd5ServerExchange.Name, requiresTls: false,
            host => new CramMd5ServerExchange(CramMd5ServerExchange.CreateChallenge(host)));

    /// <summary>SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding. Safe to offer without TLS.</summary>
    public static IServerSaslMechanism ScramSha256 { get; } =
        new SaslServerMechanism(Scram.MechanismName, requiresTls: false, _ => new ScramServerExchange());

    /// <summary>XOAUTH2 with Google's error response. A bearer token is a secret, so TLS only.</summary>
    public static IServerSaslMechanism XOAuth2 { get; } = CreateXOAuth2(null);

    /// <summary>OAUTHBEARER (RFC 7628) with the error status <c>invalid_token</c> and no scope. TLS only.</summary>
    public static IServerSaslMechanism OAuthBearer { get; } = CreateOAuthBearer(null, null);

    /// <summary>Creates OAUTHBEARER with the scope and discovery document to put in its error response (RFC 7628 §3.2.2).</summary>
    /// <param name="scope">The scope a valid token needs, or <see langword="null"/>.</param>
    /// <param name="openIdConfiguration">The URL of the OpenID Connect discovery document, or <see langword="null"/>.</param>
    /// <returns>The mechanism.</returns>
    public static IServerSaslMechanism CreateOAuthBearer(string? scope, string? openIdConfiguration)
    {
        var members = new List<KeyValuePair<string, string>> { new("status", "invalid_token") };
        if (scope is not null)
        {
            members.Add(new("scope", scope));
        }

        if (openIdConfiguration is not null)
        {
            members.Add(new("openid-configuration", openIdConfiguration));
        }

        byte[] error = OAuthErrorResponse.Create(members);
        return new SaslServerMechanism(OAuthBearerServerExchange.Name, requiresTls: true, _ => new OAuthBearerServerExchange(error));
    }

    /// <summary>Creates XOAUTH2 with the scope to put in its error response.</summary>
    /// <param name="scope">The scope a valid token needs (Gmail uses <c>https://mail.google.com/</c>), or <see langword="null"/>.</param>
    /// <returns>The mechanism.</returns>
    public static IServerSaslMechanism CreateXOAuth2(string? scope)
    {
        var members = new List<KeyValuePair<string, string>> { new("status", "401"), new("schemes", "bearer") };
        if (scope is not null)
        {
            members.Add(new("scope", scope));
        }

        byte[] error = OAuthErrorResponse.Create(members);
        return new SaslServerMechanism(XOAuth2ServerExchange.Name, requiresTls: true, _ => new XOAuth2ServerExchange(error));
    }
}
