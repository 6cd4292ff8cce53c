namespace Smtp.Core.Auth;

/// <summary>A SASL mechanism the server can offer in its EHLO AUTH keyword (RFC 4954 §3).</summary>
/// <remarks>Implementations must be thread-safe: one instance creates exchanges for every session.</remarks>
public interface IServerSaslMechanism
{
    /// <summary>The mechanism name as advertised, e.g. <c>PLAIN</c> (RFC 4422 §3.1: upper case, at most 20 characters).</summary>
    string Name { get; }

    /// <summary>Whether the mechanism sends secrets in a recoverable form and so must only be offered over TLS.</summary>
    bool RequiresTls { get; }

    /// <summary>Creates the state for one AUTH exchange.</summary>
    /// <param name="serverName">The server's host name (CRAM-MD5 puts it in its challenge).</param>
    /// <returns>A new exchange.</returns>
    ISaslServerExchange CreateExchange(string serverName);
}
