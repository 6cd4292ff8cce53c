namespace Smtp.Core.Auth;

/// <summary>One step of a client-side SASL exchange: a response to send, nothing to send, or a failure.</summary>
/// <remarks><see cref="Response"/> is raw bytes that the SMTP layer base64-encodes. It may hold the password
/// (PLAIN, LOGIN) or a token, so callers must not log it.</remarks>
public readonly struct SaslClientStep : IEquatable<SaslClientStep>
{
    private SaslClientStep(SaslClientStepKind kind, ReadOnlyMemory<byte> response, SaslClientFailureReason reason, string? serverError)
    {
        Kind = kind;
        Response = response;
        FailureReason = reason;
        ServerError = serverError;
    }

    /// <summary>What the caller must do next.</summary>
    public SaslClientStepKind Kind { get; }

    /// <summary>For <see cref="SaslClientStepKind.Response"/>: the raw response.</summary>
    public ReadOnlyMemory<byte> Response { get; }

    /// <summary>For <see cref="SaslClientStepKind.Failed"/>: why.</summary>
    public SaslClientFailureReason FailureReason { get; }

    /// <summary>The error the server reported inside the mechanism, when there was one (SCRAM <c>e=</c> value,
    /// OAuth JSON); also set on the <see cref="SaslClientStepKind.Response"/> that acknowledges an OAuth error.</summary>
    public string? ServerError { get; }

    internal static SaslClientStep None => new(SaslClientStepKind.NoResponse, default, SaslClientFailureReason.None, null);

    internal static SaslClientStep ForResponse(ReadOnlyMemory<byte> response, string? serverError = null) =>
        new(SaslClientStepKind.Response, response, SaslClientFailureReason.None, serverError);

    internal static SaslClientStep ForFailure(SaslClientFailureReason reason, string? serverError = null) =>
        new(SaslClientStepKind.Failed, default, reason, serverError);

    /// <inheritdoc />
    public bool Equals(SaslClientStep other) =>
        Kind == other.Kind && Response.Span.SequenceEqual(other.Response.Span) && FailureReason == other.FailureReason
        && ServerError == other.ServerError;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SaslClientStep other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Response.Length, FailureReason, ServerError);

    /// <summary>Compares two steps.</summary>
    public static bool operator ==(SaslClientStep left, SaslClientStep right) => left.Equals(right);

    /// <summary>Compares two steps.</summary>
    public static bool operator !=(SaslClientStep left, SaslClientStep right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        SaslClientStepKind.NoResponse => "NoResponse",
        SaslClientStepKind.Response => $"Response ({Response.Length} bytes)",
        SaslClientStepKind.Failed => $"Failed ({FailureReason})",
        _ => "(default)",
    };
}
