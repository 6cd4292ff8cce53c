namespace Smtp.Core.Auth;

/// <summary>
/// A SCRAM user whose proof the exchange has already verified against the <see cref="ScramCredentials"/>
/// the host supplied (RFC 5802 §3). The authenticator only has to authorize (for example check
/// <see cref="SaslCredentials.AuthorizationId"/>).
/// </summary>
public sealed class ScramSaslCredentials : SaslCredentials
{
    /// <summary>Creates the credentials.</summary>
    /// <param name="mechanism">The mechanism name, e.g. <c>SCRAM-SHA-256</c>.</param>
    /// <param name="userName">The user name (unescaped).</param>
    /// <param name="authorizationId">The authorization identity, or <see langword="null"/>.</param>
    public ScramSaslCredentials(string mechanism, string userName, string? authorizationId)
        : base(mechanism, userName, authorizationId)
    {
    }
}
