using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Smtp.Core.Auth;

/// <summary>
/// OAUTHBEARER (RFC 7628): <c>gs2-header %x01 *(key "=" value %x01) %x01</c> with a required
/// <c>auth=Bearer token</c>. A refused token gets the JSON error challenge of §3.2.2; the client answers
/// %x01 and the exchange fails.
/// </summary>
internal sealed class OAuthBearerServerExchange : SaslServerExchange
{
    public const string Name = "OAUTHBEARER";

    private readonly byte[] _errorChallenge;
    private bool _rejected;

    public OAuthBearerServerExchange(byte[] errorChallenge) => _errorChallenge = errorChallenge;

    public override string Mechanism => Name;

    protected override SaslStep OnReject()
    {
        _rejected = true;
        return SaslStep.ForChallenge(_errorChallenge);
    }

    protected override SaslStep OnResponse(ReadOnlySpan<byte> response, bool initial)
    {
        if (_rejected)
        {
            // RFC 7628 §3.2.3: the client's only valid answer to the error is a single %x01; whatever it sends,
            // the exchange fails as an authentication failure.
            return SaslStep.ForFailure(SaslFailureReason.AuthenticationFailed);
        }

        if (response.IsEmpty || !Utf8.IsValid(response) || response.IndexOf((byte)0) >= 0)
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        string message = Encoding.UTF8.GetString(response);
        SaslFailureReason header = Gs2Header.Parse(message, out int headerLength, out string? user);
        if (header != SaslFailureReason.None)
        {
            return SaslStep.ForFailure(header);
        }

        if (!OAuthKeyValues.TryParse(message.AsSpan(headerLength), out var pairs)
            || !pairs.TryGetValue("auth", out string? auth)
            || !OAuthKeyValues.TryGetBearerToken(auth, out string token))
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        int? port = null;
        if (pairs.TryGetValue("port", out string? portText))
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value > 65535)
            {
                return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
            }

            port = value;
        }

        pairs.TryGetValue("host", out string? host);
        return SaslStep.ForCompleted(new BearerTokenSaslCredentials(Name, user ?? string.Empty, token, host, port));
    }
}
