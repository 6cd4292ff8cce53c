using System.Security.Cryptography;
using System.Text;

namespace Smtp.Core.Auth;

/// <summary>
/// What a server stores for a SCRAM-SHA-256 user (RFC 5802 §3): salt, iteration count, StoredKey and
/// ServerKey. The password itself is not needed.
/// </summary>
public sealed class ScramCredentials
{
    /// <summary>The iteration count RFC 7677 §4 asks for at least.</summary>
    public const int DefaultIterationCount = 4096;

    private readonly byte[] _salt;
    private readonly byte[] _storedKey;
    private readonly byte[] _serverKey;

    /// <summary>Creates stored credentials from their parts.</summary>
    /// <param name="salt">The salt (at least one byte).</param>
    /// <param name="iterationCount">The PBKDF2 iteration count (at least 1).</param>
    /// <param name="storedKey">H(ClientKey), 32 bytes.</param>
    /// <param name="serverKey">HMAC(SaltedPassword, "Server Key"), 32 bytes.</param>
    public ScramCredentials(ReadOnlySpan<byte> salt, int iterationCount, ReadOnlySpan<byte> storedKey, ReadOnlySpan<byte> serverKey)
    {
        if (salt.IsEmpty)
        {
            throw new ArgumentException("The salt must not be empty.", nameof(salt));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(iterationCount, 1);
        if (storedKey.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("StoredKey is 32 bytes for SCRAM-SHA-256.", nameof(storedKey));
        }

        if (serverKey.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("ServerKey is 32 bytes for SCRAM-SHA-256.", nameof(serverKey));
        }

        _salt = salt.ToArray();
        IterationCount = iterationCount;
        _storedKey = storedKey.ToArray();
        _serverKey = serverKey.ToArray();
    }

    /// <summary>The salt.</summary>
    public ReadOnlyMemory<byte> Salt => _salt;

    /// <summary>The PBKDF2 iteration count.</summary>
    public int IterationCount { get; }

    /// <summary>StoredKey = SHA-256(ClientKey).</summary>
    public ReadOnlyMemory<byte> StoredKey => _storedKey;

    /// <summary>ServerKey = HMAC-SHA-256(SaltedPassword, "Server Key").</summary>
    public ReadOnlyMemory<byte> ServerKey => _serverKey;

    /// <summary>Derives stored credentials from a password with a fresh random 16-byte salt.</summary>
    /// <param name="password">The password; SASLprep is applied first (RFC 5802 §2.2).</param>
    /// <param name="iterationCount">The iteration count.</param>
    /// <returns>The credentials to store.</returns>
    /// <exception cref="ArgumentException">The password is not a valid SASLprep string.</exception>
    public static ScramCredentials FromPassword(string password, int iterationCount = DefaultIterationCount)
    {
        Span<byte> salt = stackalloc byte[16];
        RandomNumberGenerator.Fill(salt);
        return FromPassword(password, salt, iterationCount);
    }

    /// <summary>Derives stored credentials from a password, salt and iteration count.</summary>
    /// <param name="password">The password; SASLprep is applied first (RFC 5802 §2.2).</param>
    /// <param name="salt">The salt.</param>
    /// <param name="iterationCount">The iteration count.</param>
    /// <returns>The credentials to store.</returns>
    /// <exception cref="ArgumentException">The password is not a valid SASLprep string.</exception>
    public static ScramCredentials FromPassword(string password, ReadOnlySpan<byte> salt, int iterationCount)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterationCount, 1);
        if (!SaslPrep.TryPrepare(password, out string? prepared))
        {
            // The message never repeats the password.
            throw new ArgumentException("The password contains characters SASLprep prohibits.", nameof(password));
        }

        Span<byte> storedKey = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> serverKey = stackalloc byte[SHA256.HashSizeInBytes];
        Scram.DeriveKeys(prepared, salt, iterationCount, storedKey, serverKey, clientKey: default);
        var result = new ScramCredentials(salt, iterationCount, storedKey, serverKey);
        CryptographicOperations.ZeroMemory(storedKey);
        CryptographicOperations.ZeroMemory(serverKey);
        return result;
    }

    /// <inheritdoc />
    public override string ToString() => $"SCRAM-SHA-256 credentials (i={IterationCount})";
}
