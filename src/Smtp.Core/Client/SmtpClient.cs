using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Smtp.Core.Client.Internal;
using Smtp.Core.Protocol;

namespace Smtp.Core.Client;

/// <summary>
/// One SMTP, ESMTP or LMTP client connection: connects, secures (STARTTLS or implicit TLS), authenticates, then
/// sends any number of messages, each with per-recipient results.
/// </summary>
/// <remarks>
/// <para>
/// A client runs one operation at a time; use <see cref="SmtpClientPool"/> for concurrent senders. Every operation
/// takes a <see cref="CancellationToken"/> and is bounded by the timeouts in <see cref="SmtpClientOptions"/>.
/// </para>
/// <para>
/// Failures come in three kinds. <see cref="SmtpCommandException"/> and <see cref="SmtpCapabilityException"/>: the
/// server refused a command, or the message needs something the server lacks; the connection is still usable.
/// <see cref="SmtpProtocolException"/> (and <see cref="SmtpSecurityException"/> while connecting): the conversation
/// broke, the connection is closed and <see cref="IsConnected"/> is <see langword="false"/>. Cancellation also closes
/// the connection, since the server's state is unknown after a command cut short.
/// </para>
/// </remarks>
public sealed partial class SmtpClient : IAsyncDisposable
{
    private readonly SmtpClientOptions _options;
    private readonly ILogger _logger;
    private readonly SmtpTransport _transport;
    private readonly SmtpReplyParser _parser;
    private int _busy;
    private bool _broken;
    private bool _disposed;

    private SmtpClient(SmtpClientOptions options, SmtpTransport transport)
    {
        _options = options;
        _transport = transport;
        _logger = options.Logger ?? NullLogger.Instance;
        _parser = new SmtpReplyParser(
            options.MaxReplyLineLength, options.MaxReplyLines, (int)Math.Min(1024L * 1024, (long)options.MaxReplyLineLength * options.MaxReplyLines));
    }

    /// <summary>The server's greeting (the 220 reply).</summary>
    public SmtpReply Greeting { get; private set; }

    /// <summary>The extensions the server advertised, after STARTTLS when TLS was started.</summary>
    public SmtpCapabilities Capabilities { get; private set; } = SmtpCapabilities.None;

    /// <summary>Whether the connection is encrypted.</summary>
    public bool IsSecure => _transport.Tls is not null;

    /// <summary>The negotiated TLS protocol, or <see langword="null"/> on a plain connection.</summary>
    public System.Security.Authentication.SslProtocols? TlsProtocol => _transport.Tls?.SslProtocol;

    /// <summary>The SASL mechanism the client authenticated with, or <see langword="null"/>.</summary>
    public string? AuthenticationMechanism { get; private set; }

    /// <summary>Whether the connection can still be used: not closed, not broken by a protocol failure.</summary>
    public bool IsConnected => !_broken && !_disposed;

    /// <summary>
    /// Connects, reads the greeting, says EHLO (HELO when EHLO is refused with 500 or 502; LHLO for LMTP), secures
    /// the connection as <see cref="SmtpClientOptions.TlsMode"/> demands and authenticates when credentials are set.
    /// </summary>
    /// <param name="options">Where and how to connect.</param>
    /// <param name="cancellationToken">Cancels the whole connection attempt.</param>
    /// <returns>A connected client, ready to send.</returns>
    /// <exception cref="SmtpSecurityException">TLS was required and could not be had; nothing else was sent.</exception>
    /// <exception cref="SmtpProtocolException">The server refused the connection or broke the conversation.</exception>
    /// <exception cref="SmtpCommandException">Authentication was refused (the connection is closed).</exception>
    public static async Task<SmtpClient> ConnectAsync(SmtpClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        SmtpTransport transport;
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connect.CancelAfter(options.ConnectTimeout);
            try
            {
                transport = await SmtpTransport.ConnectAsync(options.Host, options.Port, connect.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SmtpProtocolException($"Connecting to {options.Host}:{options.Port} timed out after {options.ConnectTimeout}.");
            }
            catch (SocketException e)
            {
                throw new SmtpProtocolException($"Could not connect to {options.Host}:{options.Port}: {e.Message}", e);
            }
        }

        var client = new SmtpClient(options, transport);
        try
        {
            await client.HandshakeAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        using var op = Begin(cancellationToken);
        try
        {
            _logger.LogDebug("Connected to {Host}:{Port} ({TlsMode}).", _options.Host, _options.Port, _options.TlsMode);
            if (_options.TlsMode == SmtpTlsMode.ImplicitTls)
            {
                op.Arm(_options.ConnectTimeout);
                await _transport.StartImplicitTlsAsync(TlsOptions(), op.Token).ConfigureAwait(false);
            }

            var greeting = await ReadReplyAsync(op, _options.CommandTimeout).ConfigureAwait(false);
            Greeting = greeting;
            if (greeting.Code != 220)
            {
                // RFC 5321 §3.1: a 554 (or 421) greeting means no service; the client should send QUIT and close.
                await TryQuitAsync(op).ConfigureAwait(false);
                throw new SmtpProtocolException("The server refused the connection", greeting);
            }

            await HelloAsync(op).ConfigureAwait(false);

            bool startTls = _options.TlsMode switch
            {
                SmtpTlsMode.StartTlsRequired => true,
                SmtpTlsMode.StartTlsWhenOffered => Capabilities.StartTls,
                _ => false,
            };
            if (startTls)
            {
                await StartTlsAsync(op).ConfigureAwait(false);
            }

            if (_options.Credentials is not null)
            {
                await AuthenticateAsync(op).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsFailure(e))
        {
            throw Fail(e, op);
        }
        finally
        {
            End();
        }
    }

    private async Task HelloAsync(Operation op)
    {
        string name = _options.EffectiveClientName;
        if (_options.UseLmtp)
        {
            var lhlo = await CommandAsync(op, ClientCommands.Lhlo, name, "LHLO " + name).ConfigureAwait(false);
            if (lhlo.Code != 250)
            {
                throw new SmtpProtocolException("The server refused LHLO", lhlo);
            }

            Capabilities = SmtpCapabilities.FromEhloReply(lhlo);
            return;
        }

        var ehlo = await CommandAsync(op, ClientCommands.Ehlo, name, "EHLO " + name).ConfigureAwait(false);
        if (ehlo.Code == 250)
        {
            Capabilities = SmtpCapabilities.FromEhloReply(ehlo);
            return;
        }

        // RFC 5321 §3.2: a server that does not know EHLO answers 500 (or 502); fall back to HELO, with no extensions.
        if (ehlo.Code is not (500 or 502))
        {
            throw new SmtpProtocolException("The server refused EHLO", ehlo);
        }

        var helo = await CommandAsync(op, ClientCommands.Helo, name, "HELO " + name).ConfigureAwait(false);
        if (helo.Code != 250)
        {
            throw new SmtpProtocolException("The server refused HELO", helo);
        }

        Capabilities = SmtpCapabilities.None;
    }

    private async Task StartTlsAsync(Operation op)
    {
        if (!Capabilities.StartTls)
        {
            // Nothing but QUIT follows EHLO: no credentials, no envelope.
            await TryQuitAsync(op).ConfigureAwait(false);
            throw new SmtpSecurityException("TLS is required but the server does not offer STARTTLS.");
        }

        var reply = await CommandAsync(op, ClientCommands.StartTls, null, "STARTTLS").ConfigureAwait(false);
        if (reply.Code != 220)
        {
            await TryQuitAsync(op).ConfigureAwait(false);
            throw new SmtpSecurityException("The server refused STARTTLS", reply);
        }

        op.Arm(_options.ConnectTimeout);
        await _transport.UpgradeToTlsAsync(TlsOptions(), op.Token).ConfigureAwait(false);
        _logger.LogDebug("TLS established ({Protocol}).", _transport.Tls?.SslProtocol);

        // RFC 3207 §4.2: discard everything learnt before the handshake and say EHLO again.
        Capabilities = SmtpCapabilities.None;
        await HelloAsync(op).ConfigureAwait(false);
    }

    private SslClientAuthenticationOptions TlsOptions() => new()
    {
        TargetHost = _options.EffectiveTargetHost,
        RemoteCertificateValidationCallback = _options.RemoteCertificateValidation,
        ClientCertificates = _options.ClientCertificates,
        CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
    };

    /// <summary>Sends NOOP and reports whether the server answered exactly 250.</summary>
    /// <remarks>
    /// A 421 or 221 reply, a broken or timed-out conversation all mean the connection is dead: the client closes it
    /// and returns <see langword="false"/>. Never throws for a server's behaviour; cancellation still throws.
    /// </remarks>
    public async Task<bool> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        if (!IsConnected)
        {
            return false;
        }

        try
        {
            var reply = await NoopAsync(cancellationToken).ConfigureAwait(false);
            if (reply.Code == 250)
            {
                return true;
            }

            if (reply.Code is 421 or 221)
            {
                await CloseAsync().ConfigureAwait(false);
            }

            return false;
        }
        catch (Exception e) when (e is SmtpProtocolException or SmtpCommandException)
        {
            return false;
        }
    }

    /// <summary>Sends NOOP and returns the reply.</summary>
    /// <exception cref="SmtpProtocolException">The conversation broke, or the server answered 421.</exception>
    public async Task<SmtpReply> NoopAsync(CancellationToken cancellationToken = default)
    {
        using var op = Begin(cancellationToken);
        try
        {
            var reply = await CommandAsync(op, ClientCommands.Noop, null, "NOOP").ConfigureAwait(false);
            ThrowIfClosing(reply);
            return reply;
        }
        catch (Exception e) when (IsFailure(e))
        {
            throw Fail(e, op);
        }
        finally
        {
            End();
        }
    }

    /// <summary>Sends RSET, abandoning any transaction the server may hold open.</summary>
    /// <exception cref="SmtpCommandException">The server refused RSET.</exception>
    /// <exception cref="SmtpProtocolException">The conversation broke.</exception>
    public async Task ResetAsync(CancellationToken cancellationToken = default)
    {
        using var op = Begin(cancellationToken);
        try
        {
            await ResetCoreAsync(op).ConfigureAwait(false);
        }
        catch (Exception e) when (IsFailure(e))
        {
            throw Fail(e, op);
        }
        finally
        {
            End();
        }
    }

    private async Task ResetCoreAsync(Operation op)
    {
        var reply = await CommandAsync(op, ClientCommands.Rset, null, "RSET").ConfigureAwait(false);
        ThrowIfClosing(reply);
        if (reply.Code != 250)
        {
            throw new SmtpCommandException("RSET", reply);
        }
    }

    /// <summary>Sends QUIT, reads the 221 and closes the connection. Does nothing on a closed connection.</summary>
    public async Task QuitAsync(CancellationToken cancellationToken = default)
    {
        if (!IsConnected)
        {
            return;
        }

        using var op = Begin(cancellationToken);
        try
        {
            await TryQuitAsync(op).ConfigureAwait(false);
        }
        finally
        {
            End();
            await CloseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes the connection at once, without QUIT. Call <see cref="QuitAsync"/> first for a polite close.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
    }

    private async ValueTask CloseAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _transport.DisposeAsync().ConfigureAwait(false);
        _logger.LogDebug("Connection to {Host}:{Port} closed.", _options.Host, _options.Port);
    }

    /// <summary>QUIT without caring for the answer: used on the way out of a failed handshake.</summary>
    private async Task TryQuitAsync(Operation op)
    {
        try
        {
            await CommandAsync(op, ClientCommands.Quit, null, "QUIT", TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The server may close before answering QUIT; that is its right (RFC 5321 §4.1.1.10).
        }
    }

    /// <summary>A 421 reply to anything means the server is closing the channel (RFC 5321 §3.8).</summary>
    private static void ThrowIfClosing(SmtpReply reply)
    {
        if (reply.Code == 421)
        {
            throw new SmtpProtocolException("The server is closing the connection", reply);
        }
    }

    /// <summary>Writes one command, flushes, and reads its reply.</summary>
    private async ValueTask<SmtpReply> CommandAsync(
        Operation op, ClientCommands command, string? argument, string transcript, TimeSpan? timeout = null)
    {
        WriteCommand(command, argument, transcript);
        await FlushAsync(op, timeout ?? _options.CommandTimeout).ConfigureAwait(false);
        return await ReadReplyAsync(op, timeout ?? _options.CommandTimeout).ConfigureAwait(false);
    }

    /// <summary>
    /// Refuses to start a new command while reply bytes nobody asked for are already buffered: read as the answer to
    /// the next command they would shift every later reply by one (RFC 2920 §3.1 requires replies in command order).
    /// </summary>
    private void ThrowIfUnsolicited()
    {
        var input = _transport.Input;
        if (input.TryRead(out var pending))
        {
            long waiting = pending.Buffer.Length;
            input.AdvanceTo(pending.Buffer.Start);
            if (waiting > 0)
            {
                throw new SmtpProtocolException($"The server sent {waiting} byte(s) that answer no command; the replies are out of step.");
            }
        }
    }

    private void WriteCommand(ClientCommands command, string? argument, string transcript)
    {
        ThrowIfUnsolicited();
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            _logger.LogTrace("C: {Command}", transcript);
        }

        ClientCodec.WriteSimple(_transport.Output, command, argument);
    }

    private async ValueTask FlushAsync(Operation op, TimeSpan timeout)
    {
        op.Arm(timeout);
        var flush = await _transport.Output.FlushAsync(op.Token).ConfigureAwait(false);
        if (flush.IsCompleted)
        {
            throw new SmtpProtocolException("The connection was closed by the server.");
        }
    }

    /// <summary>Reads one whole reply, within the length and line caps; a closed connection is a protocol failure.</summary>
    private async ValueTask<SmtpReply> ReadReplyAsync(Operation op, TimeSpan timeout)
    {
        op.Arm(timeout);
        var input = _transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(op.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            var status = ClientCodec.TryReadReply(_parser, ref buffer, out var reply, out string? error);
            if (status == ReplyStatus.Complete)
            {
                input.AdvanceTo(buffer.Start);
                if (_logger.IsEnabled(LogLevel.Trace))
                {
                    _logger.LogTrace("S: {Reply}", _redact && reply.Code == 334
                        ? "334 <redacted>"
                        : reply.ToString().Replace("\n", "\\n", StringComparison.Ordinal));
                }

                return reply;
            }

            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (status == ReplyStatus.Malformed)
            {
                throw new SmtpProtocolException($"The server sent a malformed reply: {error}");
            }

            if (result.IsCompleted)
            {
                throw new SmtpProtocolException(result.Buffer.IsEmpty
                    ? "The server closed the connection without replying."
                    : "The server closed the connection in the middle of a reply.");
            }
        }
    }

    private Operation Begin(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed && !_broken, this);
        if (_broken)
        {
            throw new SmtpProtocolException("The connection is no longer usable after an earlier failure; reconnect.");
        }

        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("An SmtpClient runs one operation at a time; use SmtpClientPool for concurrent sends.");
        }

        return new Operation(cancellationToken);
    }

    private void End() => Volatile.Write(ref _busy, 0);

    /// <summary>Whether an exception ends the connection (everything but a refused command or a caller mistake).</summary>
    private static bool IsFailure(Exception e)
        => e is not (SmtpCommandException or SmtpCapabilityException or ArgumentException or InvalidOperationException or NotSupportedException)
           || e is ObjectDisposedException;

    /// <summary>Marks the connection broken, closes it, and turns I/O failures and timeouts into a protocol failure.</summary>
    private Exception Fail(Exception e, Operation op)
    {
        _broken = true;
        _ = CloseAsync().AsTask();
        Exception translated = e switch
        {
            SmtpProtocolException or SmtpSecurityException => e,
            OperationCanceledException when op.CallerToken.IsCancellationRequested => e,
            OperationCanceledException => new SmtpProtocolException($"The server did not answer within {op.LastTimeout}.", new TimeoutException()),
            IOException or SocketException or ObjectDisposedException => new SmtpProtocolException($"The connection was lost: {e.Message}", e),
            _ => e,
        };
        _logger.LogDebug(translated, "Connection to {Host}:{Port} failed.", _options.Host, _options.Port);
        return translated;
    }

    /// <summary>One public operation's cancellation: the caller's token plus a timer re-armed before each wait.</summary>
    private sealed class Operation : IDisposable
    {
        private readonly CancellationTokenSource _source;

        public Operation(CancellationToken callerToken)
        {
            CallerToken = callerToken;
            _source = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        }

        public CancellationToken CallerToken { get; }

        public CancellationToken Token => _source.Token;

        public TimeSpan LastTimeout { get; private set; }

        public void Arm(TimeSpan timeout)
        {
            LastTimeout = timeout;
            _source.CancelAfter(timeout);
        }

        public void Dispose() => _source.Dispose();
    }
}
