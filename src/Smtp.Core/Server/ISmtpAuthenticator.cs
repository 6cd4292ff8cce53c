using Smtp.Core.Auth;

namespace Smtp.Core.Server;

/// <summary>
/// Checks what a SASL exchange of the AUTH command (RFC 4954) yielded and says who the client is.
/// </summary>
/// <remarks>
/// <para>The concrete type of the credentials says what is left to check: <see cref="PasswordSaslCredentials"/>
/// (PLAIN, LOGIN: compare the password), <see cref="CramMd5SaslCredentials"/> (call
/// <see cref="CramMd5SaslCredentials.Verify(ReadOnlySpan{char})"/> with the stored password),
/// <see cref="ScramSaslCredentials"/> (the proof was already verified against the credentials
/// <see cref="IScramCredentialStore"/> supplied: only authorise), <see cref="BearerTokenSaslCredentials"/>
/// (XOAUTH2, OAUTHBEARER: validate the token). Unknown types should be refused.</para>
/// <para>Implement <see cref="IScramCredentialStore"/> as well to offer SCRAM-SHA-256. Exceptions are answered
/// <c>454 4.7.0</c> and logged; the session goes on. Never log the credentials' secrets.</para>
/// </remarks>
public interface ISmtpAuthenticator
{
    /// <summary>Decides on the credentials of one AUTH exchange.</summary>
    /// <param name="context">The session (TLS state, client address, ...).</param>
    /// <param name="credentials">What the mechanism yielded.</param>
    /// <param name="cancellationToken">Cancelled when the session is aborted.</param>
    /// <returns>The identity, a refusal (<c>535 5.7.8</c>), or a temporary failure (<c>454 4.7.0</c>).</returns>
    ValueTask<SmtpAuthenticationResult> AuthenticateAsync(ISmtpSessionContext context, SaslCredentials credentials, CancellationToken cancellationToken);
}
