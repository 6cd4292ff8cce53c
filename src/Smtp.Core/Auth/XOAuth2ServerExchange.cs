namespace Smtp.Core.Auth;

/// <summary>
/// XOAUTH2 (Google's format): <c>"user=" user %x01 "auth=Bearer " token %x01 %x01</c>. A refused token gets a
/// JSON error challenge; the client answers with an empty response and the exchange fails.
/// </summary>
internal sealed class XOAuth2ServerExchange : BearerTokenServerExchange
{
    public const string Name = "XOAUTH2";

    public XOAuth2ServerExchange(byte[] errorChallenge)
        : base(errorChallenge)
    {
    }

    public override string Mechanism => Name;

    protected override SaslStep ParseMessage(string message)
    {
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
