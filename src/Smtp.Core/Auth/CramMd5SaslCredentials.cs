using System.Security.Cryptography;
using System.Text;

namespace Smtp.Core.Auth;

/// <summary>
/// A CRAM-MD5 answer (RFC 2195): the user name, the challenge the server sent and the client's HMAC-MD5
/// digest. The authenticator checks it with <see cref="Verify(ReadOnlySpan{char})"/> against the stored password.
/// </summary>
public sealed class CramMd5SaslCredentials : SaslCredentials
{
    private readonly byte[] _digest;

    /// <summary>Creates the credentials.</summary>
    /// <param name="userName">The user name.</param>
    /// <param name="challenge">The challenge the server sent, e.g. <c>&lt;1896.697170952@postoffice.example.net&gt;</c>.</param>
    /// <param name="digest">The 16-byte HMAC-MD5 digest from the client.</param>
    public CramMd5SaslCredentials(string userName, string challenge, ReadOnlySpan<byte> digest)
        : base("CRAM-MD5", userName, null)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        if (digest.Length != HMACMD5.HashSizeInBytes)
        {
            throw new ArgumentException("A CRAM-MD5 digest is 16 bytes.", nameof(digest));
        }

        Challenge = challenge;
        _digest = digest.ToArray();
    }

    /// <summary>The challenge the server sent.</summary>
    public string Challenge { get; }

    /// <summary>The client's digest (16 bytes).</summary>
    public ReadOnlyMemory<byte> Digest => _digest;

    /// <summary>Checks the digest against a password, in constant time.</summary>
    /// <param name="password">The stored password.</param>
    /// <returns>Whether the client knew the password.</returns>
    public bool Verify(ReadOnlySpan<char> password)
    {
        int length = Encoding.UTF8.GetByteCount(password);
        byte[] key = new byte[length];
        try
        {
            Encoding.UTF8.GetBytes(password, key);
            return Verify(key.AsSpan());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Checks the digest against the HMAC key (the password's UTF-8 bytes, as a host may store them).</summary>
    /// <param name="key">The HMAC-MD5 key.</param>
    /// <returns>Whether the client knew the key.</returns>
    public bool Verify(ReadOnlySpan<byte> key)
    {
        Span<byte> expected = stackalloc byte[HMACMD5.HashSizeInBytes];
        byte[] challenge = Encoding.UTF8.GetBytes(Challenge);
        // RFC 2195 §2: digest = HMAC-MD5(key = shared secret, text = challenge).
        HMACMD5.HashData(key, challenge, expected);
        bool ok = CryptographicOperations.FixedTimeEquals(expected, _digest);
        CryptographicOperations.ZeroMemory(expected);
        return ok;
    }
}
