using System.Security.Cryptography;
using System.Text;

namespace Smtp.Core.Auth;

/// <summary>CRAM-MD5 client (RFC 2195): <c>user SP lowercase-hex(HMAC-MD5(password, challenge))</c>.</summary>
internal sealed class CramMd5ClientExchange(SaslClientCredentials credentials) : SaslClientExchange
{
    private bool _answered;

    public override string Mechanism => CramMd5ServerExchange.Name;

    public override SaslClientStep Start() => SaslClientStep.None;

    public override SaslClientStep Respond(ReadOnlySpan<byte> challenge)
    {
        if (_answered)
        {
            return SaslClientStep.ForFailure(SaslClientFailureReason.UnexpectedChallenge);
        }

        if (challenge.IsEmpty)
        {
            return SaslClientStep.ForFailure(SaslClientFailureReason.MalformedChallenge);
        }

        _answered = true;
        byte[] key = Encoding.UTF8.GetBytes(credentials.Password!);
        Span<byte> digest = stackalloc byte[HMACMD5.HashSizeInBytes];
        HMACMD5.HashData(key, challenge, digest);
        CryptographicOperations.ZeroMemory(key);
        string response = credentials.UserName + " " + Convert.ToHexStringLower(digest);
        IsComplete = true;
        return SaslClientStep.ForResponse(Encoding.UTF8.GetBytes(response));
    }
}
