using System.Security.Cryptography;

namespace Smtp.Core.Auth;

/// <summary>Shared bookkeeping of the built-in client exchanges: secret buffers zeroed on dispose.</summary>
internal abstract class SaslClientExchange : ISaslClientExchange
{
    private readonly List<byte[]> _secrets = [];

    public abstract string Mechanism { get; }

    public bool IsComplete { get; protected set; }

    public abstract SaslClientStep Start();

    public abstract SaslClientStep Respond(ReadOnlySpan<byte> challenge);

    public void Dispose()
    {
        foreach (byte[] secret in _secrets)
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        _secrets.Clear();
    }

    /// <summary>Remembers a buffer that holds a secret so that <see cref="Dispose"/> zeroes it.</summary>
    protected byte[] Secret(byte[] buffer)
    {
        _secrets.Add(buffer);
        return buffer;
    }
}
