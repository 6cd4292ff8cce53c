using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Smtp.Core.Auth;

namespace Smtp.Core.Server;

/// <summary>
/// A built-in authenticator over a fixed set of users and passwords held in memory: for tests, samples and small
/// deployments. Serves PLAIN, LOGIN, CRAM-MD5 and SCRAM-SHA-256; refuses bearer tokens.
/// </summary>
/// <remarks>
/// User names compare ordinally (case matters). SCRAM credentials are derived once per user, when the user is added,
/// with a random per-user salt. An authorization identity other than the user name is refused: the identity is
/// always the user name. Thread-safe.
/// </remarks>
public sealed class InMemoryUserAuthenticator : ISmtpAuthenticator, IScramCredentialStore
{
    private readonly ConcurrentDictionary<string, User> _users = new(StringComparer.Ordinal);

    /// <summary>The number of users.</summary>
    public int Count => _users.Count;

    /// <summary>Adds a user, or replaces the password of an existing one.</summary>
    /// <param name="userName">The user name (not empty).</param>
    /// <param name="password">The password (not empty; SASLprep-valid for SCRAM-SHA-256).</param>
    /// <returns>This authenticator.</returns>
    /// <exception cref="ArgumentException">A value is empty, or the password contains characters SASLprep prohibits.</exception>
    public InMemoryUserAuthenticator Add(string userName, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        ArgumentException.ThrowIfNullOrEmpty(password);
        _users[userName] = new User(Encoding.UTF8.GetBytes(password), password, ScramCredentials.FromPassword(password));
        return this;
    }

    /// <summary>Removes a user.</summary>
    /// <param name="userName">The user name.</param>
    /// <returns>Whether the user existed.</returns>
    public bool Remove(string userName)
    {
        ArgumentNullException.ThrowIfNull(userName);
        return _users.TryRemove(userName, out _);
    }

    /// <inheritdoc />
    public ValueTask<SmtpAuthenticationResult> AuthenticateAsync(ISmtpSessionContext context, SaslCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        if (credentials.AuthorizationId is { Length: > 0 } authzid && !string.Equals(authzid, credentials.UserName, StringComparison.Ordinal))
        {
            return ValueTask.FromResult(SmtpAuthenticationResult.Invalid());
        }

        _users.TryGetValue(credentials.UserName, out User? user);
        bool ok = credentials switch
        {
            PasswordSaslCredentials password => CheckPassword(user, password.Password),
            CramMd5SaslCredentials cram => user is not null && cram.Verify(user.Password.AsSpan()),
            // The SCRAM exchange verified the proof against the credentials this store supplied.
            ScramSaslCredentials => user is not null,
            _ => false,
        };
        return ValueTask.FromResult(ok ? SmtpAuthenticationResult.Authenticated(credentials.UserName) : SmtpAuthenticationResult.Invalid());
    }

    /// <inheritdoc />
    public ValueTask<ScramCredentials?> FindScramCredentialsAsync(ISmtpSessionContext context, string userName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userName);
        return ValueTask.FromResult(_users.TryGetValue(userName, out User? user) ? user.Scram : null);
    }

    private static bool CheckPassword(User? user, string candidate)
    {
        int length = Encoding.UTF8.GetByteCount(candidate);
        byte[] bytes = new byte[length];
        try
        {
            Encoding.UTF8.GetBytes(candidate, bytes);
            // Constant time in the content; an unknown user still costs one comparison.
            bool equal = CryptographicOperations.FixedTimeEquals(bytes, user?.PasswordBytes ?? bytes);
            return user is not null && equal;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private sealed record User(byte[] PasswordBytes, string Password, ScramCredentials Scram);
}
