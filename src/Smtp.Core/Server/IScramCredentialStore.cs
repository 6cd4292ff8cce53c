using Smtp.Core.Auth;

namespace Smtp.Core.Server;

/// <summary>
/// The add-on an <see cref="ISmtpAuthenticator"/> implements to serve SCRAM-SHA-256 (RFC 5802, RFC 7677): the
/// stored salt, iteration count and keys of a user. Without it SCRAM-SHA-256 is neither advertised nor accepted.
/// </summary>
public interface IScramCredentialStore
{
    /// <summary>Looks up a user's stored SCRAM credentials.</summary>
    /// <param name="context">The session.</param>
    /// <param name="userName">The user name as the client sent it.</param>
    /// <param name="cancellationToken">Cancelled when the session is aborted.</param>
    /// <returns>The credentials, or <see langword="null"/> for an unknown user (the exchange then fails at the proof,
    /// so that the client cannot tell unknown users from wrong passwords).</returns>
    ValueTask<ScramCredentials?> FindScramCredentialsAsync(ISmtpSessionContext context, string userName, CancellationToken cancellationToken);
}
