namespace Smtp.Core.Auth;

/// <summary>The client side of one SASL exchange: a synchronous state machine with no I/O.</summary>
/// <remarks>
/// The caller sends <c>AUTH name</c> with the result of <see cref="Start"/> as initial response (when it is
/// a <see cref="SaslClientStepKind.Response"/>), then passes every decoded 334 challenge to
/// <see cref="Respond"/>. A caller that holds the initial response back (AUTH without one) sends it as the
/// answer to the server's first, empty, 334 instead of calling <see cref="Respond"/> (RFC 4954 §4). When the server answers 235, the caller must still check
/// <see cref="IsComplete"/>: for SCRAM it is <see langword="false"/> until the server's signature was
/// verified, and a 235 without it means the server was not authenticated. <see cref="IDisposable.Dispose"/>
/// zeroes the buffers that held secrets (responses carrying a password or token, derived keys); call it once
/// the last response has been written.
/// </remarks>
public interface ISaslClientExchange : IDisposable
{
    /// <summary>The mechanism name, e.g. <c>SCRAM-SHA-256</c>.</summary>
    string Mechanism { get; }

    /// <summary>Whether the mechanism has done everything it needs (for SCRAM: server signature verified).</summary>
    bool IsComplete { get; }

    /// <summary>Begins the exchange: the initial response, or <see cref="SaslClientStepKind.NoResponse"/>.</summary>
    /// <returns>The first step.</returns>
    SaslClientStep Start();

    /// <summary>Answers a server challenge.</summary>
    /// <param name="challenge">The decoded challenge bytes; read during the call only.</param>
    /// <returns>The response to send, or a failure.</returns>
    SaslClientStep Respond(ReadOnlySpan<byte> challenge);
}
