using System.Text;
using System.Text.Unicode;

namespace Smtp.Core.Auth;

/// <summary>PLAIN (RFC 4616): one message, <c>[authzid] NUL authcid NUL passwd</c>, all UTF-8.</summary>
internal sealed class PlainServerExchange : SaslServerExchange
{
    public const string Name = "PLAIN";

    public override string Mechanism => Name;

    protected override SaslStep OnResponse(ReadOnlySpan<byte> response, bool initial)
    {
        // RFC 4616 §2: exactly two NULs separate the three fields; none may contain NUL.
        int first = response.IndexOf((byte)0);
        if (first < 0)
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        ReadOnlySpan<byte> rest = response[(first + 1)..];
        int second = rest.IndexOf((byte)0);
        if (second < 0)
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        ReadOnlySpan<byte> authzid = response[..first];
        ReadOnlySpan<byte> authcid = rest[..second];
        ReadOnlySpan<byte> passwd = rest[(second + 1)..];
        if (authcid.IsEmpty || passwd.IsEmpty || passwd.IndexOf((byte)0) >= 0
            || !Utf8.IsValid(authzid) || !Utf8.IsValid(authcid) || !Utf8.IsValid(passwd))
        {
            return SaslStep.ForFailure(SaslFailureReason.MalformedMessage);
        }

        return SaslStep.ForCompleted(new PasswordSaslCredentials(
            Name,
            Encoding.UTF8.GetString(authcid),
            Encoding.UTF8.GetString(passwd),
            authzid.IsEmpty ? null : Encoding.UTF8.GetString(authzid)));
    }
}
