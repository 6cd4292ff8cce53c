using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Smtp.Core.Auth;

/// <summary>
/// SCRAM-SHA-256, server side (RFC 5802 §5, RFC 7677). client-first → NeedCredentials → server-first →
/// client-final (proof verified here) → server-final sent as a challenge, answered by an empty response
/// (RFC 4954 §4: additional data with success goes in a 334) → Completed.
/// </summary>
internal sealed class ScramServerExchange : SaslServerExchange
{
    private const int ServerNonceBytes = 18;

    // A per-process key so that an unknown user gets the same made-up salt on every attempt (RFC 5802 §5.1
    // recommends not revealing whether a user exists).
    private static readonly byte[] UnknownUserSaltKey = RandomNumberGenerator.GetBytes(32);

    private readonly string? _fixedServerNonce;
    private State _state;
    private string _gs2Header = string.Empty;
    private string _clientFirstBare = string.Empty;
    private string _clientNonce = string.Empty;
    private string _userName = string.Empty;
    private string? _authorizationId;
    private string _serverFirst = string.Empty;
    private string _nonce = string.Empty;
    private byte[]? _storedKey;
    private byte[]? _serverKey;
    private bool _unknownUser;

    public ScramServerExchange()
    {
    }

    /// <summary>For known-answer tests: a fixed server nonce part.</summary>
    internal ScramServerExchange(string serverNonce) => _fixedServerNonce = serverNonce;

    private enum State
    {
        ClientFirst,
        ClientFinal,
        FinalAcknowledgement,
    }

    public override string Mechanism => Scram.MechanismName;

    protected override SaslStep OnResponse(ReadOnlySpan<byte> response, bool initial) => _state switch
    {
        State.ClientFirst => OnClientFirst(response),
        State.ClientFinal => OnClientFinal(response),
        _ => response.IsEmpty ? SaslStep.ForCompleted(new ScramSaslCredentials(Scram.MechanismName, _userName, _authorizationId))
            : SaslStep.ForFailure(SaslFailureReason.UnexpectedMessage),
    };

    protected override SaslStep OnCredentials(ScramCredentials? credentials)
    {
        byte[] salt;
        int iterations;
        if (credentials is null)
        {
            _unknownUser = true;
            salt = HMACSHA256.HashData(UnknownUserSaltKey, Encoding.UTF8.GetBytes(_userName))[..16];
            iterations = ScramCredentials.DefaultIterationCount;
            _storedKey = RandomNumberGenerator.GetBytes(Scram.KeySize);
            _serverKey = RandomNumberGenerator.GetBytes(Scram.KeySize);
        }
        else
        {
            salt = credentials.Salt.ToArray();
            iterations = credentials.IterationCount;
            _storedKey = credentials.StoredKey.ToArray();
            _serverKey = credentials.ServerKey.ToArray();
        }

        string serverNonce = _fixedServerNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(ServerNonceBytes));
        _nonce = _clientNonce + serverNonce;
        _serverFirst = string.Create(CultureInfo.InvariantCulture, $"r={_nonce},s={Convert.ToBase64String(salt)},i={iterations}");
        _state = State.ClientFinal;
        return SaslStep.ForChallenge(Encoding.UTF8.GetBytes(_serverFirst));
    }

    private SaslStep OnClientFirst(ReadOnlySpan<byte> response)
    {
        if (response.IsEmpty)
        {
            // No initial response yet; the empty challenge of OnStart was answered with nothing usable.
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        if (!Utf8.IsValid(response) || response.IndexOf((byte)0) >= 0)
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        string message = Encoding.UTF8.GetString(response);
        SaslFailureReason header = Gs2Header.Parse(message, out int headerLength, out _authorizationId);
        if (header != SaslFailureReason.None)
        {
            return SaslStep.ForFailure(header);
        }

        _gs2Header = message[..headerLength];
        _clientFirstBare = message[headerLength..];

        // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
        string[] parts = _clientFirstBare.Split(',');
        if (parts.Length < 2
            || !parts[0].StartsWith("n=", StringComparison.Ordinal)
            || !Scram.TryUnescapeName(parts[0].AsSpan(2), out _userName)
            || !parts[1].StartsWith("r=", StringComparison.Ordinal)
            || !Scram.IsValidNonce(parts[1].AsSpan(2)))
        {
            // This also covers "m=" first: RFC 5802 §5.1 says an unknown mandatory extension must fail.
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        for (int i = 2; i < parts.Length; i++)
        {
            if (!Scram.IsAttribute(parts[i]))
            {
                return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
            }
        }

        _clientNonce = parts[1][2..];
        return SaslStep.ForCredentialsNeeded(_userName, _authorizationId);
    }

    private SaslStep OnClientFinal(ReadOnlySpan<byte> response)
    {
        if (!Utf8.IsValid(response) || response.IndexOf((byte)0) >= 0)
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        string message = Encoding.UTF8.GetString(response);

        // client-final-message = client-final-message-without-proof "," proof; proof is the last attribute.
        int proofAt = message.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        string withoutProof = message[..proofAt];
        string[] parts = withoutProof.Split(',');
        Span<byte> proof = stackalloc byte[Scram.KeySize + 3];
        byte[] binding = new byte[(parts[0].Length * 3 / 4) + 3];
        if (parts.Length < 2
            || !parts[0].StartsWith("c=", StringComparison.Ordinal)
            || !parts[1].StartsWith("r=", StringComparison.Ordinal)
            || !Scram.TryDecodeBase64(parts[0].AsSpan(2), binding, out int bindingLength)
            || !Scram.TryDecodeBase64(message.AsSpan(proofAt + 3), proof, out int proofLength)
            || proofLength != Scram.KeySize)
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        for (int i = 2; i < parts.Length; i++)
        {
            if (!Scram.IsAttribute(parts[i]))
            {
                return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
            }
        }

        // RFC 5802 §5.1: without channel binding, c= carries the gs2 header itself, byte for byte.
        if (!binding.AsSpan(0, bindingLength).SequenceEqual(Encoding.UTF8.GetBytes(_gs2Header)))
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        // The nonce must be the one the server sent (client part + server part), not just start with it.
        if (!string.Equals(parts[1][2..], _nonce, StringComparison.Ordinal))
        {
            return SaslStep.ForFailure(SaslFailureReason.AuthenticationFailed);
        }

        byte[] authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        Span<byte> clientSignature = stackalloc byte[Scram.KeySize];
        Span<byte> clientKey = stackalloc byte[Scram.KeySize];
        Span<byte> storedKey = stackalloc byte[Scram.KeySize];
        try
        {
            // RFC 5802 §3: ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); check H(ClientKey) == StoredKey.
            HMACSHA256.HashData(_storedKey!, authMessage, clientSignature);
            for (int i = 0; i < Scram.KeySize; i++)
            {
                clientKey[i] = (byte)(proof[i] ^ clientSignature[i]);
            }

            SHA256.HashData(clientKey, storedKey);
            if (!CryptographicOperations.FixedTimeEquals(storedKey, _storedKey!) || _unknownUser)
            {
                return SaslStep.ForFailure(SaslFailureReason.AuthenticationFailed);
            }

            byte[] serverSignature = HMACSHA256.HashData(_serverKey!, authMessage);
            _state = State.FinalAcknowledgement;
            return SaslStep.ForChallenge(Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(serverSignature)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clientKey);
            CryptographicOperations.ZeroMemory(storedKey);
            CryptographicOperations.ZeroMemory(clientSignature);
        }
    }
}
