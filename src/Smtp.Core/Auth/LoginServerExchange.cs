using System.Text;
using System.Text.Unicode;

namespace Smtp.Core.Auth;

/// <summary>
/// LOGIN (draft-murchison-sasl-login-00): the server asks "Username:" then "Password:"; an initial response,
/// when present, is the user name.
/// </summary>
internal sealed class LoginServerExchange : SaslServerExchange
{
    public const string Name = "LOGIN";

    private static readonly byte[] UserNamePrompt = "Username:"u8.ToArray();
    private static readonly byte[] PasswordPrompt = "Password:"u8.ToArray();

    private string? _userName;

    public override string Mechanism => Name;

    protected override SaslStep OnStart() => SaslStep.ForChallenge(UserNamePrompt);

    protected override SaslStep OnResponse(ReadOnlySpan<byte> response, bool initial)
    {
        if (response.IsEmpty || response.IndexOf((byte)0) >= 0 || !Utf8.IsValid(response))
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        if (_userName is null)
        {
            _userName = Encoding.UTF8.GetString(response);
            return SaslStep.ForChallenge(PasswordPrompt);
        }

        return SaslStep.ForCompleted(new PasswordSaslCredentials(Name, _userName, Encoding.UTF8.GetString(response), null));
    }
}
