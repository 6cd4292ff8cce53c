using Smtp.Core.Auth;

namespace Smtp.Core.Server;

/// <summary>
/// AUTH (RFC 4954) for a server (<see cref="SmtpServerOptions.Authentication"/>): the authenticator, the SASL
/// mechanisms, whether AUTH is allowed without TLS, and the defences against password guessing.
/// </summary>
public sealed class SmtpAuthenticationOptions
{
    /// <summary>Creates the options.</summary>
    /// <param name="authenticator">Checks the credentials; implement <see cref="IScramCredentialStore"/> too for SCRAM-SHA-256.</param>
    public SmtpAuthenticationOptions(ISmtpAuthenticator authenticator)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        Authenticator = authenticator;
    }

    /// <summary>Checks the credentials.</summary>
    public ISmtpAuthenticator Authenticator { get; }

    /// <summary>
    /// The mechanisms offered, in advertising order. Default SCRAM-SHA-256, PLAIN and LOGIN
    /// (<see cref="SaslMechanismRegistry.CreateDefault"/>); add <see cref="SaslMechanisms.CramMd5"/>,
    /// <see cref="SaslMechanisms.XOAuth2"/>, <see cref="SaslMechanisms.OAuthBearer"/> or a mechanism of your own,
    /// or remove one. SCRAM-SHA-256 is only offered when the authenticator is an <see cref="IScramCredentialStore"/>.
    /// </summary>
    public SaslMechanismRegistry Mechanisms { get; set; } = SaslMechanismRegistry.CreateDefault();

    /// <summary>
    /// Whether AUTH is offered and accepted on connections without TLS, every registered mechanism included (even
    /// those that send the password in clear). Default <see langword="false"/>: before TLS, AUTH is not advertised
    /// and is answered <c>538 5.7.11</c> (RFC 4954 §6).
    /// </summary>
    public bool AllowWithoutTls { get; set; }

    /// <summary>
    /// Failed AUTH attempts (wrong credentials or malformed exchanges) allowed per session: the attempt that reaches
    /// the limit is answered <c>421 4.7.0</c> and the connection closed. Default 3.
    /// </summary>
    public int MaxFailures { get; set; } = 3;

    /// <summary>
    /// The pause before answering a failed attempt, multiplied by the number of failures so far in the session
    /// (1×, 2×, ...), to slow down password guessing. Runs on <see cref="SmtpServerOptions.TimeProvider"/>. Default 1 second.
    /// </summary>
    public TimeSpan FailureDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Checks the values and throws on one that cannot work.</summary>
    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Mechanisms, nameof(Mechanisms));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFailures, 1, nameof(MaxFailures));
        ArgumentOutOfRangeException.ThrowIfLessThan(FailureDelay, TimeSpan.Zero, nameof(FailureDelay));
    }
}
