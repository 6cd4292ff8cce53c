using System.Text;

namespace Smtp.Core.Auth;

/// <summary>PLAIN client (RFC 4616): the whole message as initial response.</summary>
internal sealed class PlainClientExchange(SaslClientCredentials credentials) : SaslClientExchange
{
    private bool _answeredChallenge;

    public override string Mechanism => PlainServerExchange.Name;

    public override SaslClientStep Start()
    {
        IsComplete = true;
        return SaslClientStep.ForResponse(CreateMessage());
    }

    public override SaslClientStep Respond(ReadOnlySpan<byte> challenge)
    {
        // A server that got AUTH PLAIN without initial response sends one empty challenge (RFC 4616 §2).
        if (!challenge.IsEmpty || _answeredChallenge)
        {
            return SaslClientStep.ForFailure(SaslClientFailureReason.UnexpectedChallenge);
        }

        _answeredChallenge = true;
        IsComplete = true;
        return SaslClientStep.ForResponse(CreateMessage());
    }

    private byte[] CreateMessage() =>
        Secret(Encoding.UTF8.GetBytes($"{credentials.AuthorizationId}\0{credentials.UserName}\0{credentials.Password}"));
}
