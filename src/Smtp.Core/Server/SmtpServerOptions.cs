using Microsoft.Extensions.Logging;
using Smtp.Core.Protocol;
using Smtp.Core.Storage;

namespace Smtp.Core.Server;

/// <summary>The configuration of an <see cref="SmtpServer"/>: identity, limits, timeouts and the host's handlers.</summary>
/// <remarks>Options are read when the server is created; changing them afterwards has no effect on running sessions.</remarks>
public sealed class SmtpServerOptions
{
    /// <summary>The name the server gives in its greeting and in EHLO (RFC 5321 §4.1.1.1). Defaults to the machine name.</summary>
    public string ServerName { get; set; } = Environment.MachineName;

    /// <summary>The longest command line accepted, CRLF included (RFC 5321 §4.5.3.1.4: at least 512). Default 512.</summary>
    public int MaxLineLength { get; set; } = 512;

    /// <summary>Recipients accepted per transaction (RFC 5321 §4.5.3.1.8: at least 100); more get 452 4.5.3. Default 100.</summary>
    public int MaxRecipients { get; set; } = 100;

    /// <summary>The largest message accepted, advertised with SIZE (RFC 1870) and enforced while the body arrives. Default 35 MiB.</summary>
    public long MaxMessageSize { get; set; } = 35L * 1024 * 1024;

    /// <summary>
    /// How long the server waits for the next command or the next bytes of a body (RFC 5321 §4.5.3.2.7: 5 minutes);
    /// then 421 4.4.2 and close. A command line (or AUTH response line) must be complete within this time however
    /// it is split; a client that does not read its replies gets this long too, and so does the connection filter.
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The deadline for receiving a whole message body (DATA up to the final dot, or all BDAT chunks of a
    /// transaction), however steadily the bytes trickle in; then 421 4.4.2 and close. Default 10 minutes.
    /// </summary>
    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Recipients the host may reject per session (the mailbox filter's refusals); the next one is answered
    /// <c>421 4.7.0</c> and the session closes, so that one connection cannot probe addresses without end. These are
    /// not protocol errors. Default 100.
    /// </summary>
    public int MaxRejectedRecipients { get; set; } = 100;

    /// <summary>Protocol errors (unknown, malformed or out-of-order commands) tolerated per session; one more gets 421 4.7.0 and close. Default 10.</summary>
    public int MaxProtocolErrors { get; set; } = 10;

    /// <summary>Concurrent connections the listener serves; more are answered 421 4.7.0 and closed. Default 1000.</summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>Concurrent connections per remote IP address; more are answered 421 4.7.0 and closed. Default 20.</summary>
    public int MaxConnectionsPerAddress { get; set; } = 20;

    /// <summary>Run as an LMTP server (RFC 2033): LHLO replaces EHLO and HELO, and each recipient gets its own reply after the data.</summary>
    public bool Lmtp { get; set; }

    /// <summary>How long <see cref="SmtpServer.StopAsync"/> lets a message transfer in progress finish before the session is aborted. Default 30 seconds.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// An optional pause before the greeting. A client that sends anything before the greeting breaks
    /// RFC 5321 §4.3.1 (typical of spam bots) and is answered 554 5.5.0 and disconnected; a delay makes such
    /// clients visible. Default zero (the check then only catches bytes already buffered).
    /// </summary>
    public TimeSpan GreetingDelay { get; set; } = TimeSpan.Zero;

    /// <summary>What to do with a bare CR or LF in a command or in message data. Default <see cref="BareLineEndingPolicy.Reject"/>.</summary>
    public BareLineEndingPolicy BareLineEndings { get; set; } = BareLineEndingPolicy.Reject;

    /// <summary>The clock for every timeout and deadline; tests substitute a fake one. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where logs go, or <see langword="null"/> for none. A transcript is logged at Trace level (AUTH data redacted).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Decides on each connection, or <see langword="null"/> to accept all (within the connection limits).</summary>
    public IConnectionFilter? ConnectionFilter { get; set; }

    /// <summary>Decides on senders and recipients, or <see langword="null"/> to accept all.</summary>
    public IMailboxFilter? MailboxFilter { get; set; }

    /// <summary>Where accepted messages go. Default a <see cref="DiscardMessageStore"/>, which accepts and drops every message: set a real store.</summary>
    public IMessageStore MessageStore { get; set; } = new DiscardMessageStore();

    /// <summary>
    /// Call the message store on the session's own flow, without a thread-pool hop per message. Default
    /// <see langword="false"/>: the store starts on the thread pool and may read the body any way it likes.
    /// </summary>
    /// <remarks>
    /// Set it only for a store that reads the body with <c>await</c> and never blocks on it: inline, the body's bytes
    /// reach the store on the very thread that receives them, so a synchronous read (<c>Stream.Read</c> on
    /// <c>PipeReader.AsStream()</c>, <c>.Result</c>) waits for bytes that thread can no longer deliver, until the
    /// DATA deadline fails the message. The built-in stores qualify (the Maildir store does its fsyncs on the thread
    /// pool). Worth it mostly with inline socket completions (README, "Performance").
    /// </remarks>
    public bool RunMessageStoreInline { get; set; }

    /// <summary>
    /// Called when each session starts and ends (for per-session resources such as a DI scope), or
    /// <see langword="null"/> (the default) for none. See <see cref="ISmtpSessionObserver"/> for the guarantees.
    /// </summary>
    public ISmtpSessionObserver? SessionObserver { get; set; }

    /// <summary>AUTH (RFC 4954): the authenticator and mechanisms, or <see langword="null"/> (the default) to offer no authentication.</summary>
    public SmtpAuthenticationOptions? Authentication { get; set; }

    /// <summary>The endpoints <see cref="SmtpServer.StartAsync"/> binds. Sessions run with <see cref="SmtpServer.RunSessionAsync"/> need none.</summary>
    public IList<SmtpEndpoint> Endpoints { get; } = new List<SmtpEndpoint>();

    /// <summary>Checks the values and throws on one that cannot work.</summary>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ServerName, nameof(ServerName));
        if (ServerName.AsSpan().IndexOfAny("\r\n\0 ") >= 0)
        {
            throw new ArgumentException("The server name must be one token without spaces or line breaks.", nameof(ServerName));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLineLength, 512, nameof(MaxLineLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecipients, 1, nameof(MaxRecipients));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageSize, 1, nameof(MaxMessageSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(CommandTimeout, TimeSpan.Zero, nameof(CommandTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(DataTimeout, TimeSpan.Zero, nameof(DataTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxProtocolErrors, 0, nameof(MaxProtocolErrors));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRejectedRecipients, 0, nameof(MaxRejectedRecipients));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnections, 1, nameof(MaxConnections));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnectionsPerAddress, 1, nameof(MaxConnectionsPerAddress));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShutdownGracePeriod, TimeSpan.Zero, nameof(ShutdownGracePeriod));
        ArgumentOutOfRangeException.ThrowIfLessThan(GreetingDelay, TimeSpan.Zero, nameof(GreetingDelay));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        ArgumentNullException.ThrowIfNull(MessageStore, nameof(MessageStore));
        Authentication?.Validate();
        foreach (SmtpEndpoint endpoint in Endpoints)
        {
            endpoint.ValidateSecurity(this);
        }
    }
}
