namespace Smtp.Core.Auth;

/// <summary>A user name and clear-text password (PLAIN, RFC 4616; LOGIN).</summary>
public sealed class PasswordSaslCredentials : SaslCredentials
{
    /// <summary>Creates the credentials.</summary>
    /// <param name="mechanism">The mechanism name.</param>
    /// <param name="userName">The authentication identity.</param>
    /// <param name="password">The password as sent.</param>
    /// <param name="authorizationId">The authorization identity, or <see langword="null"/>.</param>
    public PasswordSaslCredentials(string mechanism, string userName, string password, string? authorizationId)
        : base(mechanism, userName, authorizationId)
    {
        ArgumentNullException.ThrowIfNull(password);
        Password = password;
    }

    /// <summary>The password as the client sent it (not SASLprep-ed; compare it the way it was stored).</summary>
    public string Password { get; }
}
