using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Smtp.Core.Auth;

/// <summary>
/// CRAM-MD5 (RFC 2195): the server sends <c>&lt;random.timestamp@hostname&gt;</c>, the client answers
/// <c>user SP hex(HMAC-MD5(password, challenge))</c>. The digest is checked by the host through
/// <see cref="CramMd5SaslCredentials.Verify(ReadOnlySpan{char})"/>.
/// </summary>
internal sealed class CramMd5ServerExchange : SaslServerExchange
{
    public const string Name = "CRAM-MD5";

    private readonly string _challenge;
    private readonly byte[] _challengeBytes;

    /// <param name="challenge">The challenge, from <see cref="CreateChallenge"/> (tests pass RFC 2195's example).</param>
    public CramMd5ServerExchange(string challenge)
    {
        _challenge = challenge;
        _challengeBytes = Encoding.UTF8.GetBytes(challenge);
    }

    public override string Mechanism => Name;

    protected override SaslStep OnStart() => SaslStep.ForChallenge(_challengeBytes);

    protected override SaslStep OnResponse(ReadOnlySpan<byte> response, bool initial)
    {
        if (initial)
        {
            // RFC 2195 has no initial response: the client cannot answer a challenge it has not seen.
            return SaslStep.ForFailure(SaslFailureReason.UnexpectedMessage);
        }

        // The user name may itself contain spaces; the digest is the last 32 characters after the last space.
        int space = response.LastIndexOf((byte)' ');
        if (space <= 0 || !Utf8.IsValid(response[..space]) || response[..space].IndexOf((byte)0) >= 0)
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        ReadOnlySpan<byte> hex = response[(space + 1)..];
        Span<byte> digest = stackalloc byte[HMACMD5.HashSizeInBytes];
        if (hex.Length != 2 * HMACMD5.HashSizeInBytes)
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        for (int i = 0; i < digest.Length; i++)
        {
            int hi = HexValue(hex[2 * i]);
            int lo = HexValue(hex[(2 * i) + 1]);
            if (hi < 0 || lo < 0)
            {
                return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
            }

            digest[i] = (byte)((hi << 4) | lo);
        }

        return SaslStep.ForCompleted(new CramMd5SaslCredentials(Encoding.UTF8.GetString(response[..space]), _challenge, digest));
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10, // RFC 2195 says lower case; accept either.
        _ => -1,
    };

    public static string CreateChallenge(string serverName)
    {
        // RFC 2195 §2: a presumptively arbitrary string, in the RFC 822 msg-id form <random.timestamp@host>.
        ulong random = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        long timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string host = string.IsNullOrEmpty(serverName) || serverName.AsSpan().IndexOfAny("<>@ \r\n\0") >= 0 ? "localhost" : serverName;
        return $"<{random}.{timestamp}@{host}>";
    }
}
