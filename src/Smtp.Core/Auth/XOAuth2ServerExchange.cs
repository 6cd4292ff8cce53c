using System.Text;
using System.Text.Unicode;

namespace Smtp.Core.Auth;

/// <summary>
/// XOAUTH2 (Google's format): <c>"user=" user %x01 "auth=Bearer " token %x01 %x01</c>. A refused token gets a
/// JSON error challenge; the client answers with an empty response and the exchange fails.
/// </summary>
internal sealed class XOAuth2ServerExchange : SaslServerExchange
{
    public const string Name = "XOAUTH2";

    private readonly byte[] _errorChallenge;
    private bool _rejected;

    public XOAuth2ServerExchange(byte[] errorChallenge) => _errorChallenge = errorChallenge;

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
            return SaslStep.ForFailure(SaslFailureReason.AuthenticationFailed);
        }

        if (response.IsEmpty || !Utf8.IsValid(response) || response.IndexOf((byte)0) >= 0)
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        string message = Encoding.UTF8.GetString(response);
        if (!OAuthKeyValues.TryParse(message, out var pairs, leadingSeparator: false)
            || !pairs.TryGetValue("user", out string? user)
            || user.Length == 0
            || !pairs.TryGetValue("auth", out string? auth)
            || !OAuthKeyValues.TryGetBearerToken(auth, out string token))
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        return SaslStep.ForCompleted(new BearerTokenSaslCredentials(Name, user, token, null, null));
    }
}
