namespace Smtp.Core.Auth;

/// <summary>What a client-side SASL exchange asks its caller to do next.</summary>
public enum SaslClientStepKind
{
    /// <summary>From <see cref="ISaslClientExchange.Start"/> only: send AUTH without an initial response.</summary>
    NoResponse = 1,

    /// <summary>Send <see cref="SaslClientStep.Response"/> (base64-encoded; an empty response is an empty line,
    /// or <c>=</c> as an initial response, RFC 4954 §4).</summary>
    Response = 2,

    /// <summary>Abort the exchange (send <c>*</c> if the server is waiting for a response) and report
    /// <see cref="SaslClientStep.FailureReason"/>.</summary>
    Failed = 3,
}
