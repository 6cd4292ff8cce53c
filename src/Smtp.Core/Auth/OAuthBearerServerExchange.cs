using System.Globalization;

namespace Smtp.Core.Auth;

/// <summary>
/// OAUTHBEARER (RFC 7628): <c>gs2-header %x01 *(key "=" value %x01) %x01</c> with a required
/// <c>auth=Bearer token</c>. A refused token gets the JSON error challenge of §3.2.2; the client answers
/// %x01 and the exchange fails.
/// </summary>
internal sealed class OAuthBearerServerExchange : BearerTokenServerExchange
{
    public const string Name = "OAUTHBEARER";

    public OAuthBearerServerExchange(byte[] errorChallenge)
        : base(errorChallenge)
    {
    }

    public override string Mechanism => Name;

    protected override SaslStep ParseMessage(string message)
    {
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
