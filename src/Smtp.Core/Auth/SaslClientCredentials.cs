namespace Smtp.Core.Auth;

/// <summary>What a client authenticates with: a user name and either a password or an OAuth 2.0 access token.</summary>
/// <remarks><see cref="ToString"/> never shows the secret.</remarks>
public sealed class SaslClientCredentials
{
    private SaslClientCredentials(string userName, string? password, string? accessToken, string? authorizationId, string? host, int? port)
    {
        UserName = userName;
        Password = password;
        AccessToken = accessToken;
        AuthorizationId = authorizationId;
        Host = host;
        Port = port;
    }

    /// <summary>The user name (authentication identity).</summary>
    public string UserName { get; }

    /// <summary>The password, when these are password credentials.</summary>
    public string? Password { get; }

    /// <summary>The OAuth 2.0 access token, when these are token credentials.</summary>
    public string? AccessToken { get; }

    /// <summary>The identity to act as, or <see langword="null"/> (PLAIN and SCRAM only).</summary>
    public string? AuthorizationId { get; }

    /// <summary>The server host name OAUTHBEARER reports (RFC 7628 §3.1), or <see langword="null"/>.</summary>
    public string? Host { get; }

    /// <summary>The server port OAUTHBEARER reports, or <see langword="null"/>.</summary>
    public int? Port { get; }

    /// <summary>Password credentials (SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN).</summary>
    /// <param name="userName">The user name, not empty.</param>
    /// <param name="password">The password, not empty.</param>
    /// <param name="authorizationId">The identity to act as, or <see langword="null"/>.</param>
    /// <returns>The credentials.</returns>
    public static SaslClientCredentials FromPassword(string userName, string password, string? authorizationId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        ArgumentException.ThrowIfNullOrEmpty(password);
        RejectControls(userName, nameof(userName));
        if (authorizationId is not null)
        {
            RejectControls(authorizationId, nameof(authorizationId));
        }

        // NUL separates PLAIN's fields (RFC 4616 §2); the message never repeats the password.
        if (password.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("The password must not contain NUL.", nameof(password));
        }

        return new SaslClientCredentials(userName, password, null, authorizationId, null, null);
    }

    /// <summary>Token credentials (OAUTHBEARER, XOAUTH2).</summary>
    /// <param name="userName">The user name (XOAUTH2 requires it; OAUTHBEARER sends it as authzid).</param>
    /// <param name="accessToken">The bearer access token.</param>
    /// <param name="host">The server host name for OAUTHBEARER, or <see langword="null"/>.</param>
    /// <param name="port">The server port for OAUTHBEARER, or <see langword="null"/>.</param>
    /// <returns>The credentials.</returns>
    public static SaslClientCredentials FromAccessToken(string userName, string accessToken, string? host = null, int? port = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        RejectControls(userName, nameof(userName));
        RejectControls(accessToken, nameof(accessToken));
        if (host is not null)
        {
            RejectControls(host, nameof(host));
        }

        if (port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port));
        }

        return new SaslClientCredentials(userName, null, accessToken, null, host, port);
    }

    /// <summary>Control characters would break the NUL and %x01 separated formats (RFC 4616, RFC 7628).</summary>
    private static void RejectControls(string value, string paramName)
    {
        foreach (char c in value)
        {
            if (c < 0x20 || c == 0x7F)
            {
                throw new ArgumentException("The value must not contain control characters.", paramName);
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => AccessToken is null ? $"user={UserName} (password)" : $"user={UserName} (access token)";
}
