using System.IO.Pipelines;

namespace Smtp.Core.Server;

/// <summary>
/// The seam where STARTTLS (RFC 3207) will plug in: given the session's plain transport, returns the
/// transport to continue on once the TLS handshake completed.
/// </summary>
/// <remarks>
/// Not wired yet: until the TLS work lands the session answers STARTTLS with <c>454 4.7.0</c>. The session
/// already reads and writes through a replaceable transport field and discards any bytes pipelined after
/// STARTTLS (RFC 3207 §4.2 and the 2011 STARTTLS command injection), so the upgrade only has to swap the pipe
/// and set <see cref="SmtpSessionContext.IsSecure"/>.
/// </remarks>
internal interface ITlsUpgrade
{
    /// <summary>Runs the server side of a TLS handshake over <paramref name="transport"/>.</summary>
    ValueTask<IDuplexPipe> UpgradeAsync(IDuplexPipe transport, CancellationToken cancellationToken);
}
