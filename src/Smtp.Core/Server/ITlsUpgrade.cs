using System.IO.Pipelines;

namespace Smtp.Core.Server;

/// <summary>
/// The seam where STARTTLS (RFC 3207) will plug in: given the session's plain transport, returns the
/// transport to continue on once the TLS handshake completed.
/// </summary>
/// <remarks>
/// Wired through the internal <see cref="SmtpServerOptions.TlsUpgrade"/>. On STARTTLS the session discards any
/// plaintext pipelined after the command (RFC 3207 §4.2 and the 2011 STARTTLS command injection), answers
/// <c>220 2.0.0</c>, calls <see cref="UpgradeAsync"/>, continues on the returned transport, and forgets what it
/// learnt before (the EHLO name, the transaction): the implementation only has to run the handshake.
/// </remarks>
internal interface ITlsUpgrade
{
    /// <summary>Runs the server side of a TLS handshake over <paramref name="transport"/>.</summary>
    ValueTask<IDuplexPipe> UpgradeAsync(IDuplexPipe transport, CancellationToken cancellationToken);
}
