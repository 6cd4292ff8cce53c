namespace Smtp.Core.Auth;

/// <summary>Creates client-side SASL exchanges and picks the mechanism to use from a server's EHLO AUTH list.</summary>
public static class SaslClient
{
    private static readonly string[] PasswordPreference = [Scram.MechanismName, CramMd5ServerExchange.Name, PlainServerExchange.Name, LoginServerExchange.Name];
    private static readonly string[] TokenPreference = [OAuthBearerServerExchange.Name, XOAuth2ServerExchange.Name];

    /// <summary>The mechanisms this client implements, strongest first.</summary>
    public static IReadOnlyList<string> SupportedMechanisms { get; } = [.. PasswordPreference, .. TokenPreference];

    /// <summary>
    /// Picks the strongest mechanism the server offers that the credentials can serve: for a password
    /// SCRAM-SHA-256 &gt; CRAM-MD5 &gt; PLAIN &gt; LOGIN, for a token OAUTHBEARER &gt; XOAUTH2.
    /// </summary>
    /// <param name="offered">The names from the EHLO AUTH keyword (compared case-insensitively).</param>
    /// <param name="credentials">The credentials at hand.</param>
    /// <param name="allowCleartext">Whether PLAIN, LOGIN and the token mechanisms, which expose the secret to
    /// anyone who reads the connection, may be chosen (normally: whether the connection is under TLS).</param>
    /// <returns>The mechanism name, or <see langword="null"/> when none fits.</returns>
    public static string? SelectMechanism(IEnumerable<string> offered, SaslClientCredentials credentials, bool allowCleartext)
    {
        ArgumentNullException.ThrowIfNull(offered);
        ArgumentNullException.ThrowIfNull(credentials);
        var set = new HashSet<string>(offered, StringComparer.OrdinalIgnoreCase);
        foreach (string name in credentials.AccessToken is null ? PasswordPreference : TokenPreference)
        {
            bool cleartext = name is PlainServerExchange.Name or LoginServerExchange.Name || credentials.AccessToken is not null;
            if (set.Contains(name) && (allowCleartext || !cleartext))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>Creates the client side of an exchange.</summary>
    /// <param name="mechanism">The mechanism name (case-insensitive).</param>
    /// <param name="credentials">The credentials; a token for OAUTHBEARER and XOAUTH2, a password otherwise.</param>
    /// <param name="exchange">The exchange, when the mechanism is supported with these credentials.</param>
    /// <returns>Whether an exchange was created.</returns>
    public static bool TryCreate(string mechanism, SaslClientCredentials credentials, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ISaslClientExchange? exchange)
    {
        ArgumentNullException.ThrowIfNull(mechanism);
        ArgumentNullException.ThrowIfNull(credentials);
        bool token = credentials.AccessToken is not null;
        exchange = mechanism.ToUpperInvariant() switch
        {
            Scram.MechanismName when !token => new ScramClientExchange(credentials),
            CramMd5ServerExchange.Name when !token => new CramMd5ClientExchange(credentials),
            PlainServerExchange.Name when !token => new PlainClientExchange(credentials),
            LoginServerExchange.Name when !token => new LoginClientExchange(credentials),
            OAuthBearerServerExchange.Name when token => new OAuthClientExchange(credentials, oauthBearer: true),
            XOAuth2ServerExchange.Name when token => new OAuthClientExchange(credentials, oauthBearer: false),
            _ => null,
        };
        return exchange is not null;
    }
}
