namespace Smtp.Core.Auth;

/// <summary>Why a server-side SASL exchange failed.</summary>
public enum SaslFailureReason
{
    /// <summary>No failure.</summary>
    None = 0,

    /// <summary>The client's message does not follow the mechanism's syntax (bad UTF-8, missing separator,
    /// wrong attribute order, invalid base64 inside the message, ...). RFC 4954 §6: 501 5.5.2.</summary>
    MalformedMessage = 1,

    /// <summary>The credentials are wrong (bad proof, unknown user, token refused by the host).
    /// RFC 4954 §6: 535 5.7.8.</summary>
    AuthenticationFailed = 2,

    /// <summary>The client asked for channel binding (SCRAM or OAUTHBEARER gs2 header <c>p=</c>), which this
    /// implementation does not support (RFC 5802 §6). Answered like a failed authentication, 535 5.7.8.</summary>
    ChannelBindingNotSupported = 3,

    /// <summary>The client sent an initial response to a mechanism that has none (CRAM-MD5) or a message the
    /// mechanism forbids at that point, answered 501 5.5.2.</summary>
    UnexpectedMessage = 4,
}
