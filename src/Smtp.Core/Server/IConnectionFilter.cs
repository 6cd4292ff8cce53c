namespace Smtp.Core.Server;

/// <summary>Decides whether a newly connected client may talk to the server.</summary>
public interface IConnectionFilter
{
    /// <summary>Called once per connection before the greeting.</summary>
    /// <param name="context">The new session; only the endpoints and the session id are known yet.</param>
    /// <param name="cancellationToken">Cancelled when the session is aborted.</param>
    /// <returns>
    /// <see cref="SmtpResult.Accept()"/> to send the 220 greeting; a refusal is sent instead of the greeting. After a
    /// 421 (retry later) the connection is closed at once; after any other refusal (RFC 5321 §3.1: 554) the server
    /// waits for QUIT and answers every other command <c>503 5.5.1</c>, within the error budget and the command timeout.
    /// </returns>
    /// <remarks>
    /// A filter that does not answer within <see cref="SmtpServerOptions.CommandTimeout"/> (or throws) makes the server
    /// refuse with <c>421 4.3.0</c>; an aborted session does not wait for it.
    /// </remarks>
    ValueTask<SmtpResult> AcceptConnectionAsync(ISmtpSessionContext context, CancellationToken cancellationToken);
}
