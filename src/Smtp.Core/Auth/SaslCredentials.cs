namespace Smtp.Core.Auth;

/// <summary>
/// What a completed SASL exchange hands to the host's authenticator. The concrete type says what is left to
/// check: <see cref="PasswordSaslCredentials"/> (PLAIN, LOGIN), <see cref="CramMd5SaslCredentials"/>,
/// <see cref="ScramSaslCredentials"/> (proof already verified) and <see cref="BearerTokenSaslCredentials"/>
/// (XOAUTH2, OAUTHBEARER).
/// </summary>
/// <remarks>Designed for inheritance so that a host mechanism can hand over its own credential type.
/// <see cref="ToString"/> never shows a secret.</remarks>
public abstract class SaslCredentials
{
    /// <summary>Initialises the common fields.</summary>
    /// <param name="mechanism">The mechanism name.</param>
    /// <param name="userName">The authentication identity.</param>
    /// <param name="authorizationId">The authorization identity, or <see langword="null"/> when the client sent none.</param>
    protected SaslCredentials(string mechanism, string userName, string? authorizationId)
    {
        ArgumentNullException.ThrowIfNull(mechanism);
        ArgumentNullException.ThrowIfNull(userName);
        Mechanism = mechanism;
        UserName = userName;
        AuthorizationId = authorizationId;
    }

    /// <summary>The mechanism that produced these credentials.</summary>
    public string Mechanism { get; }

    /// <summary>The authentication identity (the user who proves who they are).</summary>
    public string UserName { get; }

    /// <summary>The identity to act as, or <see langword="null"/> when the client asked for none (act as
    /// <see cref="UserName"/>). The authenticator decides whether <see cref="UserName"/> may act as it.</summary>
    public string? AuthorizationId { get; }

    /// <inheritdoc />
    public override string ToString() =>
        AuthorizationId is null ? $"{Mechanism} user={UserName}" : $"{Mechanism} user={UserName} authzid={AuthorizationId}";
}
