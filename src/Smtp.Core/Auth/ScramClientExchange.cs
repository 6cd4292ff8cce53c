using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Smtp.Core.Auth;

/// <summary>
/// SCRAM-SHA-256 client without channel binding (RFC 5802 §5, RFC 7677). It verifies the server signature in
/// server-final; a mismatch fails with <see cref="SaslClientFailureReason.ServerNotAuthenticated"/>.
/// </summary>
internal sealed class ScramClientExchange : SaslClientExchange
{
    /// <summary>Above this a server could make the client burn seconds of CPU per attempt.</summary>
    internal const int MaxIterations = 1_000_000;

    private const int ClientNonceBytes = 24;

    private readonly SaslClientCredentials _credentials;
    private readonly string _clientNonce;
    private string _gs2Header = string.Empty;
    private string _clientFirstBare = string.Empty;
    private byte[]? _expectedServerSignature;
    private int _state;

    public ScramClientExchange(SaslClientCredentials credentials)
        : this(credentials, Convert.ToBase64String(RandomNumberGenerator.GetBytes(ClientNonceBytes)))
    {
    }

    /// <summary>For known-answer tests: a fixed client nonce.</summary>
    internal ScramClientExchange(SaslClientCredentials credentials, string clientNonce)
    {
        _credentials = credentials;
        _clientNonce = clientNonce;
    }

    public override string Mechanism => Scram.MechanismName;

    public override SaslClientStep Start()
    {
        if (_state != 0)
        {
            throw new InvalidOperationException("The exchange has already started.");
        }

        // RFC 5802 §5.1: the client SHOULD SASLprep the user name and abort when that fails or yields nothing.
        if (!SaslPrep.TryPrepare(_credentials.UserName, out string user) || user.Length == 0)
        {
            return SaslClientStep.ForFailure(SaslClientFailureReason.InvalidCredentials);
        }

        string authz = string.Empty;
        if (_credentials.AuthorizationId is { Length: > 0 } a)
        {
            if (!SaslPrep.TryPrepare(a, out string preparedAuthz))
            {
                return SaslClientStep.ForFailure(SaslClientFailureReason.InvalidCredentials);
            }

            authz = "a=" + Scram.EscapeName(preparedAuthz);
        }

        _gs2Header = "n," + authz + ",";
        _clientFirstBare = "n=" + Scram.EscapeName(user) + ",r=" + _clientNonce;
        _state = 1;
        return SaslClientStep.ForResponse(Encoding.UTF8.GetBytes(_gs2Header + _clientFirstBare));
    }

    public override SaslClientStep Respond(ReadOnlySpan<byte> challenge)
    {
        if (!Utf8.IsValid(challenge))
        {
            return Fail(SaslClientFailureReason.MalformedChallenge);
        }

        string message = Encoding.UTF8.GetString(challenge);
        if (message.StartsWith("e=", StringComparison.Ordinal))
        {
            return Fail(SaslClientFailureReason.ServerError, message[2..]);
        }

        return _state switch
        {
            1 => OnServerFirst(message),
            2 => OnServerFinal(message),
            _ => Fail(SaslClientFailureReason.UnexpectedChallenge),
        };
    }

    private SaslClientStep OnServerFirst(string serverFirst)
    {
        // server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]
        string[] parts = serverFirst.Split(',');
        if (parts.Length > 0 && parts[0].StartsWith("m=", StringComparison.Ordinal))
        {
            return Fail(SaslClientFailureReason.UnsupportedParameters);
        }

        if (parts.Length < 3
            || !parts[0].StartsWith("r=", StringComparison.Ordinal)
            || !parts[1].StartsWith("s=", StringComparison.Ordinal)
            || !parts[2].StartsWith("i=", StringComparison.Ordinal)
            || !Scram.IsValidNonce(parts[0].AsSpan(2)))
        {
            return Fail(SaslClientFailureReason.MalformedChallenge);
        }

        string nonce = parts[0][2..];

        // RFC 5802 §5.1: the server's nonce must start with ours and add its own part.
        if (nonce.Length <= _clientNonce.Length || !nonce.StartsWith(_clientNonce, StringComparison.Ordinal))
        {
            return Fail(SaslClientFailureReason.ServerNotAuthenticated);
        }

        byte[] salt = new byte[(parts[1].Length * 3 / 4) + 3];
        if (!Scram.TryDecodeBase64(parts[1].AsSpan(2), salt, out int saltLength) || saltLength == 0)
        {
            return Fail(SaslClientFailureReason.MalformedChallenge);
        }

        if (!int.TryParse(parts[2].AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int iterations))
        {
            return Fail(SaslClientFailureReason.MalformedChallenge);
        }

        if (iterations is < 1 or > MaxIterations)
        {
            return Fail(SaslClientFailureReason.UnsupportedParameters);
        }

        if (!SaslPrep.TryPrepare(_credentials.Password!, out string password) || password.Length == 0)
        {
            return Fail(SaslClientFailureReason.InvalidCredentials);
        }

        string withoutProof = "c=" + Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header)) + ",r=" + nonce;
        byte[] authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{serverFirst},{withoutProof}");
        Span<byte> storedKey = stackalloc byte[Scram.KeySize];
        Span<byte> serverKey = stackalloc byte[Scram.KeySize];
        Span<byte> clientKey = stackalloc byte[Scram.KeySize];
        Span<byte> clientSignature = stackalloc byte[Scram.KeySize];
        try
        {
            Scram.DeriveKeys(password, salt.AsSpan(0, saltLength), iterations, storedKey, serverKey, clientKey);

            // RFC 5802 §3: ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage).
            HMACSHA256.HashData(storedKey, authMessage, clientSignature);
            for (int i = 0; i < Scram.KeySize; i++)
            {
                clientKey[i] ^= clientSignature[i];
            }

            _expectedServerSignature = Secret(HMACSHA256.HashData(serverKey, authMessage));
            _state = 2;
            return SaslClientStep.ForResponse(Encoding.UTF8.GetBytes(withoutProof + ",p=" + Convert.ToBase64String(clientKey)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(storedKey);
            CryptographicOperations.ZeroMemory(serverKey);
            CryptographicOperations.ZeroMemory(clientKey);
            CryptographicOperations.ZeroMemory(clientSignature);
        }
    }

    private SaslClientStep OnServerFinal(string serverFinal)
    {
        // server-final-message = (server-error / verifier) ["," extensions]
        int comma = serverFinal.IndexOf(',', StringComparison.Ordinal);
        string verifier = comma < 0 ? serverFinal : serverFinal[..comma];
        Span<byte> signature = stackalloc byte[Scram.KeySize + 3];
        if (!verifier.StartsWith("v=", StringComparison.Ordinal)
            || !Scram.TryDecodeBase64(verifier.AsSpan(2), signature, out int length)
            || length != Scram.KeySize)
        {
            return Fail(SaslClientFailureReason.MalformedChallenge);
        }

        if (!CryptographicOperations.FixedTimeEquals(signature[..length], _expectedServerSignature))
        {
            return Fail(SaslClientFailureReason.ServerNotAuthenticated);
        }

        _state = 3;
        IsComplete = true;

        // RFC 4954 §4: server-final arrives as a 334 challenge; the client answers with an empty response.
        return SaslClientStep.ForResponse(ReadOnlyMemory<byte>.Empty);
    }

    private SaslClientStep Fail(SaslClientFailureReason reason, string? serverError = null)
    {
        _state = 4;
        IsComplete = false;
        return SaslClientStep.ForFailure(reason, serverError);
    }
}
