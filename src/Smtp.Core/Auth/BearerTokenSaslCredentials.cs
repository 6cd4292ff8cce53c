namespace Smtp.Core.Auth;

/// <summary>
/// An OAuth 2.0 bearer token (XOAUTH2, or OAUTHBEARER per RFC 7628) for the authenticator to validate.
/// </summary>
/// <remarks>For OAUTHBEARER the user is the optional gs2 authzid; when the client sent none,
/// <see cref="SaslCredentials.UserName"/> is empty and the identity comes from the token.</remarks>
public sealed class BearerTokenSaslCredentials : SaslCredentials
{
    /// <summary>Creates the credentials.</summary>
    /// <param name="mechanism">The mechanism name.</param>
    /// <param name="userName">The user, or empty.</param>
    /// <param name="token">The bearer token.</param>
    /// <param name="host">The <c>host</c> key of OAUTHBEARER, or <see langword="null"/>.</param>
    /// <param name="port">The <c>port</c> key of OAUTHBEARER, or <see langword="null"/>.</param>
    public BearerTokenSaslCredentials(string mechanism, string userName, string token, string? host, int? port)
        : base(mechanism, userName, null)
    {
        ArgumentNullException.ThrowIfNull(token);
        Token = token;
        Host = host;
        Port = port;
    }

    /// <summary>The bearer token.</summary>
    public string Token { get; }

    /// <summary>The host the client believes it is talking to (RFC 7628 §3.1), or <see langword="null"/>.</summary>
    public string? Host { get; }

    /// <summary>The port the client believes it is talking to (RFC 7628 §3.1), or <see langword="null"/>.</summary>
    public int? Port { get; }
}
