namespace Smtp.Core.Auth;

/// <summary>
/// The order-of-calls bookkeeping every built-in server exchange shares, so that each mechanism only states
/// its protocol. Client input reaches only <see cref="OnResponse"/>, which must not throw.
/// </summary>
internal abstract class SaslServerExchange : ISaslServerExchange
{
    private enum Phase
    {
        NotStarted,
        AwaitingResponse,
        AwaitingCredentials,
        Completed,
        Finished,
    }

    private Phase _phase;

    public abstract string Mechanism { get; }

    public SaslStep Start()
    {
        if (_phase != Phase.NotStarted)
        {
            throw new InvalidOperationException("The exchange has already started.");
        }

        return Track(OnStart());
    }

    public SaslStep Respond(ReadOnlySpan<byte> response)
    {
        if (_phase is not (Phase.NotStarted or Phase.AwaitingResponse))
        {
            throw new InvalidOperationException("The exchange is not waiting for a client response.");
        }

        bool initial = _phase == Phase.NotStarted;
        return Track(OnResponse(response, initial));
    }

    public SaslStep SupplyCredentials(ScramCredentials? credentials)
    {
        if (_phase != Phase.AwaitingCredentials)
        {
            throw new InvalidOperationException("The exchange did not ask for credentials.");
        }

        return Track(OnCredentials(credentials));
    }

    public SaslStep Reject()
    {
        if (_phase != Phase.Completed)
        {
            throw new InvalidOperationException("Only a completed exchange can be rejected.");
        }

        return Track(OnReject());
    }

    /// <summary>AUTH without an initial response: most mechanisms send an empty challenge (RFC 4954 §4).</summary>
    protected virtual SaslStep OnStart() => SaslStep.ForChallenge(ReadOnlyMemory<byte>.Empty);

    protected abstract SaslStep OnResponse(ReadOnlySpan<byte> response, bool initial);

    protected virtual SaslStep OnCredentials(ScramCredentials? credentials) =>
        throw new InvalidOperationException("This mechanism does not ask for credentials.");

    protected virtual SaslStep OnReject() => SaslStep.ForFailure(SaslFailureReason.AuthenticationFailed);

    private SaslStep Track(SaslStep step)
    {
        _phase = step.Kind switch
        {
            SaslStepKind.Challenge => Phase.AwaitingResponse,
            SaslStepKind.NeedCredentials => Phase.AwaitingCredentials,
            SaslStepKind.Completed => Phase.Completed,
            _ => Phase.Finished,
        };
        return step;
    }
}
