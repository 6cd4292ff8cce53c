namespace Smtp.Core.Auth;

/// <summary>
/// The server side of one SASL authentication exchange: a synchronous state machine with no I/O.
/// </summary>
/// <remarks>
/// <para>The caller (the SMTP session) begins with <see cref="Start"/> when AUTH carried no initial response,
/// or with <see cref="Respond"/> when it did (an initial response of <c>=</c> is an empty span, RFC 4954 §4).
/// It then follows each returned <see cref="SaslStep"/>: a challenge is sent as 334 and the decoded answer
/// passed to <see cref="Respond"/>; <see cref="SaslStepKind.NeedCredentials"/> is answered with
/// <see cref="SupplyCredentials"/>; <see cref="SaslStepKind.Completed"/> is checked by the authenticator, and
/// if it refuses, <see cref="Reject"/> gives the next step (OAuth mechanisms send an error challenge first,
/// RFC 7628 §3.2.2). A failed step is final.</para>
/// <para>Base64 on the SMTP line, the client's <c>*</c> cancellation, line limits and timeouts belong to
/// the caller. Calling a method out of order is a programming error and throws
/// <see cref="InvalidOperationException"/>; client input never throws.</para>
/// </remarks>
public interface ISaslServerExchange
{
    /// <summary>The mechanism name, upper case, e.g. <c>SCRAM-SHA-256</c>.</summary>
    string Mechanism { get; }

    /// <summary>Begins an exchange whose AUTH command carried no initial response.</summary>
    /// <returns>The first step (a challenge, or a failure).</returns>
    SaslStep Start();

    /// <summary>Passes the client's decoded response (or initial response, as the first call).</summary>
    /// <param name="response">The raw bytes after base64 decoding; read during the call only.</param>
    /// <returns>The next step.</returns>
    SaslStep Respond(ReadOnlySpan<byte> response);

    /// <summary>
    /// Continues after <see cref="SaslStepKind.NeedCredentials"/> with the user's stored credentials, or
    /// <see langword="null"/> when the user is unknown (the exchange then runs on with made-up values and fails
    /// at the proof, so that a client cannot tell unknown users from wrong passwords, RFC 5802 §5.1).
    /// </summary>
    /// <param name="credentials">The stored credentials, or <see langword="null"/>.</param>
    /// <returns>The next step.</returns>
    SaslStep SupplyCredentials(ScramCredentials? credentials);

    /// <summary>Called after <see cref="SaslStepKind.Completed"/> when the authenticator refused the credentials.</summary>
    /// <returns>A failure, or for OAuth mechanisms the error challenge of RFC 7628 §3.2.2.</returns>
    SaslStep Reject();
}
