using System.Text;

namespace Smtp.Core.Auth;

/// <summary>LOGIN client: user name for the first challenge, password for the second, whatever their text.</summary>
internal sealed class LoginClientExchange(SaslClientCredentials credentials) : SaslClientExchange
{
    private int _challenges;

    public override string Mechanism => LoginServerExchange.Name;

    public override SaslClientStep Start() => SaslClientStep.None;

    public override SaslClientStep Respond(ReadOnlySpan<byte> challenge)
    {
        // Servers word the prompts differently ("Username:", "User Name", ...); the order is what counts.
        switch (++_challenges)
        {
            case 1:
                return SaslClientStep.ForResponse(Encoding.UTF8.GetBytes(credentials.UserName));
            case 2:
                IsComplete = true;
                return SaslClientStep.ForResponse(Secret(Encoding.UTF8.GetBytes(credentials.Password!)));
            default:
                return SaslClientStep.ForFailure(SaslClientFailureReason.UnexpectedChallenge);
        }
    }
}
