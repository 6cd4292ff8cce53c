using Smtp.Core.Auth;

namespace Smtp.Core.Tests.Auth;

/// <summary>The outcome of running a client exchange against a server exchange in process.</summary>
internal sealed record SaslOutcome(bool Authenticated, SaslStep LastServerStep, SaslClientStep? ClientFailure, bool ClientComplete, SaslCredentials? Credentials, int Challenges);

/// <summary>
/// Drives a client exchange against a server exchange the way the SMTP session and client would, without
/// the base64 line layer: this is the reference for how the layers above are meant to call Auth/.
/// </summary>
internal static class SaslLoopback
{
    public static SaslOutcome Run(
        ISaslServerExchange server,
        ISaslClientExchange client,
        Func<SaslCredentials, bool> authenticate,
        Func<string, ScramCredentials?>? lookup = null,
        bool sendInitialResponse = true)
    {
        SaslClientStep first = client.Start();
        SaslStep step = first.Kind == SaslClientStepKind.Response && sendInitialResponse
            ? server.Respond(first.Response.Span)
            : server.Start();
        // An initial response held back (AUTH without one) is sent as the answer to the server's empty 334.
        ReadOnlyMemory<byte>? heldBack = first.Kind == SaslClientStepKind.Response && !sendInitialResponse ? first.Response : null;
        SaslCredentials? completed = null;
        int challenges = 0;
        for (int guard = 0; guard < 16; guard++)
        {
            switch (step.Kind)
            {
                case SaslStepKind.Challenge:
                    challenges++;
                    if (heldBack is { } initial && step.Challenge.IsEmpty)
                    {
                        heldBack = null;
                        step = server.Respond(initial.Span);
                        break;
                    }

                    SaslClientStep answer = client.Respond(step.Challenge.Span);
                    if (answer.Kind == SaslClientStepKind.Failed)
                    {
                        // The client would send "*" here; the server answers 501 without consulting the exchange.
                        return new SaslOutcome(false, step, answer, client.IsComplete, completed, challenges);
                    }

                    step = server.Respond(answer.Response.Span);
                    break;
                case SaslStepKind.NeedCredentials:
                    step = server.SupplyCredentials(lookup?.Invoke(step.UserName!));
                    break;
                case SaslStepKind.Completed:
                    completed = step.Credentials;
                    if (authenticate(step.Credentials!))
                    {
                        return new SaslOutcome(true, step, null, client.IsComplete, completed, challenges);
                    }

                    step = server.Reject();
                    break;
                default:
                    return new SaslOutcome(false, step, null, client.IsComplete, completed, challenges);
            }
        }

        throw new InvalidOperationException("The exchange did not finish.");
    }
}
