namespace Smtp.Core.Auth;

/// <summary>The GS2 header that opens SCRAM (RFC 5802 §7) and OAUTHBEARER (RFC 7628 §3.1) messages.</summary>
internal static class Gs2Header
{
    /// <summary>
    /// Parses <c>gs2-cbind-flag "," [ "a=" saslname ] ","</c>. Channel binding (<c>p=</c>) is refused because
    /// this implementation has no access to the TLS channel; <c>y</c> (client supports it, thinks the server
    /// does not) and <c>n</c> are accepted (RFC 5802 §6).
    /// </summary>
    public static SaslFailureReason Parse(string message, out int length, out string? authorizationId)
    {
        length = 0;
        authorizationId = null;
        if (message.StartsWith("p=", StringComparison.Ordinal))
        {
            return SaslFailureReason.ChannelBindingNotSupported;
        }

        if (message.Length < 3 || message[0] is not ('n' or 'y') || message[1] != ',')
        {
            return SaslFailureReason.MalformedMessage;
        }

        int end = message.IndexOf(',', 2);
        if (end < 0)
        {
            return SaslFailureReason.MalformedMessage;
        }

        ReadOnlySpan<char> authz = message.AsSpan(2, end - 2);
        if (!authz.IsEmpty)
        {
            if (!authz.StartsWith("a=", StringComparison.Ordinal) || !Scram.TryUnescapeName(authz[2..], out string name))
            {
                return SaslFailureReason.MalformedMessage;
            }

            authorizationId = name;
        }

        length = end + 1;
        return SaslFailureReason.None;
    }
}
