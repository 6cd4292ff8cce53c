namespace Smtp.Core.Auth;

/// <summary>What a server-side SASL exchange asks its caller to do next.</summary>
public enum SaslStepKind
{
    /// <summary>Send <see cref="SaslStep.Challenge"/> to the client (a 334 reply) and pass its answer to
    /// <see cref="ISaslServerExchange.Respond"/>.</summary>
    Challenge = 1,

    /// <summary>Look up the stored credentials for <see cref="SaslStep.UserName"/> and pass them to
    /// <see cref="ISaslServerExchange.SupplyCredentials"/> (SCRAM).</summary>
    NeedCredentials = 2,

    /// <summary>The mechanism is done; hand <see cref="SaslStep.Credentials"/> to the authenticator. If it
    /// refuses, call <see cref="ISaslServerExchange.Reject"/> and follow the step it returns.</summary>
    Completed = 3,

    /// <summary>The exchange failed; send <see cref="SaslStep.FailureReply"/>. The exchange is finished.</summary>
    Failed = 4,
}
