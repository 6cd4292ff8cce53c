namespace Smtp.Core.Server;

/// <summary>
/// Runs host code when a session starts and when it ends, for example to open a DI scope, a unit of work or an
/// audit record that lives exactly as long as the session. Set it on <see cref="SmtpServerOptions.SessionObserver"/>.
/// </summary>
/// <remarks>
/// <para>
/// Per-session state goes in <see cref="ISmtpSessionContext.Properties"/>: the same context instance is passed to
/// both callbacks and to every handler call of the session (connection filter, mailbox filter, store,
/// authenticator), so what <see cref="SessionStartedAsync"/> puts there, the handlers find.
/// </para>
/// <para>
/// Pairing: <see cref="SessionEndedAsync"/> is called exactly once for every session
/// <see cref="SessionStartedAsync"/> was called for, whatever ends the session (QUIT, the client going away, a
/// timeout, a transport failure, <see cref="SmtpServer.StopAsync"/>, an abort, and also a start callback that threw),
/// and only after the session's last handler call returned. Connections refused by the connection limits, or whose
/// implicit-TLS handshake failed, never become sessions and get neither call.
/// </para>
/// <para>
/// The callbacks work the same for sessions of the server's listener (<see cref="SmtpServer.StartAsync"/>) and for
/// those a host runs with <see cref="SmtpServer.RunSessionAsync"/> or <see cref="SmtpServer.RunSessionOnEndpointAsync"/>.
/// Without an observer the server does nothing extra (one null check per session).
/// </para>
/// </remarks>
public interface ISmtpSessionObserver
{
    /// <summary>
    /// Called once per session, when the connection is ready for SMTP (after the implicit-TLS handshake, if any) and
    /// before the connection filter and the greeting.
    /// </summary>
    /// <param name="context">The new session; its endpoints, id and (on an implicit-TLS endpoint) TLS details are known.</param>
    /// <param name="cancellationToken">Cancelled when the session is aborted.</param>
    /// <returns>A task that completes when the host is ready for the session's handler calls.</returns>
    /// <remarks>
    /// The callback runs on the thread pool, never on the listener's accept loop, so a slow start does not delay
    /// accepting other connections; a blocking callback still holds a pool thread, so prefer asynchronous I/O. A
    /// callback that throws, or does not complete within <see cref="SmtpServerOptions.CommandTimeout"/>, is logged and
    /// the client is refused with <c>421 4.3.0</c> instead of the greeting (no handler is called,
    /// <see cref="SessionEndedAsync"/> still is).
    /// </remarks>
    ValueTask SessionStartedAsync(ISmtpSessionContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Called once per session after it ended and its transport was completed, after the last handler call returned.
    /// </summary>
    /// <param name="context">The session that ended; it must not be used after this call.</param>
    /// <param name="cancellationToken">
    /// Already cancelled when the session was aborted (the grace period of <see cref="SmtpServer.StopAsync"/> ran out,
    /// or the token given to <see cref="SmtpServer.RunSessionAsync"/> fired): clean-up should then be quick.
    /// </param>
    /// <returns>A task that completes when the host released what it held for the session.</returns>
    /// <remarks>
    /// The session (and so <see cref="SmtpServer.StopAsync"/>) waits for this call. One exception: when an abort made
    /// the server stop waiting for a handler that ignored its cancellation token, this call is made when that handler
    /// returns, which may be after the session (and <see cref="SmtpServer.StopAsync"/>) completed. An exception thrown
    /// here is logged and goes no further.
    /// </remarks>
    ValueTask SessionEndedAsync(ISmtpSessionContext context, CancellationToken cancellationToken);
}
