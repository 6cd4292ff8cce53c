namespace Smtp.Core.Auth;

/// <summary>Why a client-side SASL exchange failed.</summary>
public enum SaslClientFailureReason
{
    /// <summary>No failure.</summary>
    None = 0,

    /// <summary>The server's challenge does not follow the mechanism's syntax.</summary>
    MalformedChallenge = 1,

    /// <summary>The server sent a challenge when the mechanism expected none.</summary>
    UnexpectedChallenge = 2,

    /// <summary>SCRAM: the server's signature is wrong, or it sent a nonce that does not extend ours. The server
    /// did not prove that it knows the credentials: it is not the server we meant to talk to.</summary>
    ServerNotAuthenticated = 3,

    /// <summary>The server reported an error inside the mechanism (SCRAM <c>e=</c>, an OAuth JSON error);
    /// see <see cref="SaslClientStep.ServerError"/>.</summary>
    ServerError = 4,

    /// <summary>The server asked for something this client refuses (a SCRAM iteration count outside 1 to
    /// 1,000,000, a mandatory extension).</summary>
    UnsupportedParameters = 5,

    /// <summary>The credentials cannot be used with this mechanism (for example a password SASLprep prohibits).</summary>
    InvalidCredentials = 6,
}
