namespace Smtp.Core.Server;

/// <summary>Decides whether a newly connected client may talk to the server.</summary>
public interface IConnectionFilter
{
    /// <summary>Called once per connection before the greeting.</summary>
    /// <param name="context">The new session; only the endpoints and the session id are known yet.</param>
    /// <param name="cancellationToken">Cancelled when the session is aborted.</param>
    /// <returns>
    /// <see cref="SmtpResult.Accept()"/> to send the 220 greeting; a refusal is sent instead of the greeting
    /// and the connection is closed (RFC 5321 §3.1 suggests 554; a 421 asks the client to retry later).
    /// </returns>
    ValueTask<SmtpResult> AcceptConnectionAsync(ISmtpSessionContext context, CancellationToken cancellationToken);
}
