using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Smtp.Core.Auth;

/// <summary>
/// OAUTHBEARER (RFC 7628) and XOAUTH2 clients: the token goes in the initial response; a challenge can only be
/// the server's JSON error, which is acknowledged (%x01 for OAUTHBEARER per §3.2.3, empty for XOAUTH2) before
/// the server sends its final 535.
/// </summary>
internal sealed class OAuthClientExchange(SaslClientCredentials credentials, bool oauthBearer) : SaslClientExchange
{
    private bool _acknowledged;

    public override string Mechanism => oauthBearer ? OAuthBearerServerExchange.Name : XOAuth2ServerExchange.Name;

    public override SaslClientStep Start()
    {
        IsComplete = true;
        string message;
        if (oauthBearer)
        {
            var sb = new StringBuilder();
            sb.Append("n,a=").Append(Scram.EscapeName(credentials.UserName)).Append(",\u0001");
            if (credentials.Host is not null)
            {
                sb.Append("host=").Append(credentials.Host).Append('\u0001');
            }

            if (credentials.Port is int port)
            {
                sb.Append("port=").Append(port.ToString(CultureInfo.InvariantCulture)).Append('\u0001');
            }

            sb.Append("auth=Bearer ").Append(credentials.AccessToken).Append("\u0001\u0001");
            message = sb.ToString();
        }
        else
        {
            message = $"user={credentials.UserName}\u0001auth=Bearer {credentials.AccessToken}\u0001\u0001";
        }

        return SaslClientStep.ForResponse(Secret(Encoding.UTF8.GetBytes(message)));
    }

    public override SaslClientStep Respond(ReadOnlySpan<byte> challenge)
    {
        if (_acknowledged)
        {
            return SaslClientStep.ForFailure(SaslClientFailureReason.UnexpectedChallenge);
        }

        _acknowledged = true;
        IsComplete = false;
        string? error = Utf8.IsValid(challenge) ? Encoding.UTF8.GetString(challenge) : null;
        return SaslClientStep.ForResponse(oauthBearer ? "\u0001"u8.ToArray() : ReadOnlyMemory<byte>.Empty, error);
    }
}
