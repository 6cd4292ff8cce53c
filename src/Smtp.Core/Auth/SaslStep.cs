using Smtp.Core.Protocol;

namespace Smtp.Core.Auth;

/// <summary>
/// One step of a server-side SASL exchange: a challenge to send, a request for stored credentials, the
/// credentials to authenticate, or a failure.
/// </summary>
/// <remarks>
/// <see cref="Challenge"/> holds raw bytes; the SMTP layer base64-encodes them onto the 334 line
/// (RFC 4954 §4). The memory belongs to the exchange and stays valid until the exchange is discarded.
/// </remarks>
public readonly struct SaslStep : IEquatable<SaslStep>
{
    private SaslStep(SaslStepKind kind, ReadOnlyMemory<byte> challenge, SaslCredentials? credentials,
        string? userName, string? authorizationId, SaslFailureReason failureReason)
    {
        Kind = kind;
        Challenge = challenge;
        Credentials = credentials;
        UserName = userName;
        AuthorizationId = authorizationId;
        FailureReason = failureReason;
    }

    /// <summary>What the caller must do next.</summary>
    public SaslStepKind Kind { get; }

    /// <summary>For <see cref="SaslStepKind.Challenge"/>: the raw (not yet base64-encoded) challenge.</summary>
    public ReadOnlyMemory<byte> Challenge { get; }

    /// <summary>For <see cref="SaslStepKind.Completed"/>: what the authenticator must check.</summary>
    public SaslCredentials? Credentials { get; }

    /// <summary>For <see cref="SaslStepKind.NeedCredentials"/>: the user whose stored credentials are needed.</summary>
    public string? UserName { get; }

    /// <summary>For <see cref="SaslStepKind.NeedCredentials"/>: the authorization identity the client asked
    /// for, or <see langword="null"/>.</summary>
    public string? AuthorizationId { get; }

    /// <summary>For <see cref="SaslStepKind.Failed"/>: why.</summary>
    public SaslFailureReason FailureReason { get; }

    /// <summary>
    /// For <see cref="SaslStepKind.Failed"/>: the reply to send, 501 5.5.2 for a malformed or unexpected
    /// message and 535 5.7.8 for failed authentication (RFC 4954 §6).
    /// </summary>
    public SmtpReply FailureReply => FailureReason switch
    {
        SaslFailureReason.MalformedMessage => new SmtpReply(501, "5.5.2", "Cannot decode the authentication response"),
        SaslFailureReason.UnexpectedMessage => new SmtpReply(501, "5.5.2", "Unexpected authentication response"),
        SaslFailureReason.ChannelBindingNotSupported => new SmtpReply(535, "5.7.8", "Channel binding is not supported"),
        _ => new SmtpReply(535, "5.7.8", "Authentication credentials invalid"),
    };

    internal static SaslStep ForChallenge(ReadOnlyMemory<byte> challenge) =>
        new(SaslStepKind.Challenge, challenge, null, null, null, SaslFailureReason.None);

    internal static SaslStep ForCredentialsNeeded(string userName, string? authorizationId) =>
        new(SaslStepKind.NeedCredentials, default, null, userName, authorizationId, SaslFailureReason.None);

    internal static SaslStep ForCompleted(SaslCredentials credentials) =>
        new(SaslStepKind.Completed, default, credentials, credentials.UserName, credentials.AuthorizationId, SaslFailureReason.None);

    internal static SaslStep ForFailure(SaslFailureReason reason) =>
        new(SaslStepKind.Failed, default, null, null, null, reason);

    /// <inheritdoc />
    public bool Equals(SaslStep other) =>
        Kind == other.Kind && Challenge.Span.SequenceEqual(other.Challenge.Span) && Equals(Credentials, other.Credentials)
        && UserName == other.UserName && AuthorizationId == other.AuthorizationId && FailureReason == other.FailureReason;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SaslStep other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Challenge.Length, UserName, FailureReason);

    /// <summary>Compares two steps.</summary>
    public static bool operator ==(SaslStep left, SaslStep right) => left.Equals(right);

    /// <summary>Compares two steps.</summary>
    public static bool operator !=(SaslStep left, SaslStep right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        SaslStepKind.Challenge => $"Challenge ({Challenge.Length} bytes)",
        SaslStepKind.NeedCredentials => $"NeedCredentials ({UserName})",
        SaslStepKind.Completed => $"Completed ({Credentials})",
        SaslStepKind.Failed => $"Failed ({FailureReason})",
        _ => "(default)",
    };
}
