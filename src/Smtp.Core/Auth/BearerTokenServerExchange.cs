using System.Text;
using System.Text.Unicode;

namespace Smtp.Core.Auth;

/// <summary>
/// What the two bearer-token mechanisms (OAUTHBEARER, XOAUTH2) share: the client's message must be UTF-8 with no
/// NUL, and a refused token is answered with a JSON error challenge after which any client answer fails the
/// exchange (RFC 7628 §3.2.2–3.2.3; XOAUTH2 follows the same shape).
/// </summary>
internal abstract class BearerTokenServerExchange : SaslServerExchange
{
    private readonly byte[] _errorChallenge;
    private bool _rejected;

    protected BearerTokenServerExchange(byte[] errorChallenge) => _errorChallenge = errorChallenge;

    protected sealed override SaslStep OnReject()
    {
        _rejected = true;
        return SaslStep.ForChallenge(_errorChallenge);
    }

    protected sealed override SaslStep OnResponse(ReadOnlySpan<byte> response, bool initial)
    {
        if (_rejected)
        {
            // The client's only valid answer to the error challenge is %x01 (or empty for XOAUTH2); whatever it
            // sends, the exchange fails as an authentication failure.
            return SaslStep.ForFailure(SaslFailureReason.AuthenticationFailed);
        }

        if (response.IsEmpty || !Utf8.IsValid(response) || response.IndexOf((byte)0) >= 0)
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        return ParseMessage(Encoding.UTF8.GetString(response));
    }

    /// <summary>Parses the client's well-formed UTF-8 message into credentials or a failure.</summary>
    protected abstract SaslStep ParseMessage(string message);
}
