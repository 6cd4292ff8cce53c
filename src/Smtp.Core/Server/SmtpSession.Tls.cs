using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Smtp.Core.Protocol;

namespace Smtp.Core.Server;

/// <summary>
/// STARTTLS (RFC 3207) and implicit TLS (RFC 8314): the handshake through <see cref="SslStream"/> and the swap of the
/// session's transport.
/// </summary>
/// <remarks>
/// <para>STARTTLS command injection (CVE-2011-0411): bytes a client pipelined after the STARTTLS line are never
/// executed. When such bytes are already buffered as the command is answered, the server refuses the upgrade with
/// <c>554 5.5.0</c> and closes the connection (no handshake, no plaintext fallback): an honest client waits for the
/// 220 reply (RFC 3207 §4, RFC 2920 §3.1), so only an attacker in the path or a broken client sends them. Bytes
/// that arrive after the 220 are read by the TLS handshake as a malformed record, which fails it and closes the
/// connection.</para>
/// <para>After the handshake the session forgets everything learned before (RFC 3207 §4.2): the client name, the
/// transaction, the authentication; the client must send EHLO again, and STARTTLS is no longer advertised.</para>
/// </remarks>
internal sealed partial class SmtpSession
{
    private static readonly SmtpReply s_tlsReady = new(220, "2.0.0", "Ready to start TLS");
    private static readonly SmtpReply s_tlsActive = new(503, "5.5.1", "Bad sequence of commands: TLS is already active");
    private static readonly SmtpReply s_tlsInjection = new(554, "5.5.0", "SMTP protocol synchronization error: input after STARTTLS, closing connection");
    private static readonly SmtpReply s_tlsRequired = new(530, "5.7.0", "Must issue a STARTTLS command first");
    private static readonly SmtpReply s_authRequired = new(530, "5.7.0", "Authentication required");

    private SslStream? _sslStream;
    private IDuplexPipe? _plainTransport;

    /// <summary>Whether this session may offer STARTTLS now: TLS configured and not yet active.</summary>
    private bool TlsOffered => _endpoint?.Tls is not null && _context.Tls is null;

    /// <summary>STARTTLS, after the parser checked it has no argument (RFC 3207 §4: 501 5.5.4 otherwise).</summary>
    private Step StartTls()
    {
        if (_context.Tls is not null)
        {
            // RFC 3207 §4.2: STARTTLS is not offered again once TLS is active.
            return Error(s_tlsActive);
        }

        if (_endpoint?.Tls is null)
        {
            // Not advertised: no certificate configured for this endpoint (RFC 3207 §4: 454 TLS not available).
            Reply(s_noTls);
            return new Step(StepKind.None, SmtpVerb.StartTls);
        }

        if (!_context.IsExtended)
        {
            // STARTTLS is an ESMTP extension: it belongs to a session that sent EHLO.
            return Error(HelloFirst);
        }

        return new Step(StepKind.StartTls, SmtpVerb.StartTls);
    }

    /// <summary>Answers STARTTLS and runs the handshake; see the class remarks for pipelined input.</summary>
    /// <param name="bytesAfterCommand">Whether input was already buffered after the STARTTLS line.</param>
    private async ValueTask<Outcome> StartTlsAsync(bool bytesAfterCommand)
    {
        if (bytesAfterCommand || (Input.TryRead(out ReadResult early) && Buffered(early)))
        {
            Reply(s_tlsInjection);
            SmtpServerLog.Closing(_logger, _context.SessionId, "input pipelined after STARTTLS");
            return Outcome.Close;
        }

        Reply(s_tlsReady);
        await FlushAsync().ConfigureAwait(false);
        if (!await UpgradeAsync(isImplicit: false).ConfigureAwait(false))
        {
            return Outcome.Close;
        }

        // RFC 3207 §4.2: discard all knowledge obtained from the client before TLS.
        _framer.Reset();
        await AbortTransactionAsync().ConfigureAwait(false);
        _context.ClientName = null;
        _context.IsExtended = false;
        _context.AuthenticatedIdentity = null;
        _ehloKeywords = null;
        return Outcome.Continue;
    }

    /// <summary>RFC 8314 §3: on an implicit-TLS endpoint the handshake comes before the greeting.</summary>
    private async ValueTask<Outcome> StartImplicitTlsAsync()
    {
        if (_endpoint is not { ImplicitTls: true, Tls: not null })
        {
            return Outcome.Continue;
        }

        // The handshake's crypto and the host's certificate selection must not hold up the accept loop.
        await LeaveAcceptLoopAsync().ConfigureAwait(false);
        return await UpgradeAsync(isImplicit: true).ConfigureAwait(false) ? Outcome.Continue : Outcome.Close;
    }

    /// <summary>Whether a <see cref="PipeReader.TryRead"/> result holds bytes; gives them back to the pipe.</summary>
    private bool Buffered(in ReadResult result)
    {
        bool any = !result.Buffer.IsEmpty;
        Input.AdvanceTo(result.Buffer.Start);
        return any;
    }

    /// <summary>
    /// Runs the server side of the handshake within <see cref="SmtpTlsOptions.HandshakeTimeout"/> and continues the
    /// session over the encrypted stream. A failed handshake (garbage, a closed connection, a timeout, no common
    /// protocol) returns <see langword="false"/>: the session then closes without another byte in plaintext.
    /// </summary>
    private async ValueTask<bool> UpgradeAsync(bool isImplicit)
    {
        SmtpTlsOptions tls = _endpoint!.Tls!;
        IDuplexPipe plain = _transport;

        // A socket's stream is wrapped directly (nothing is buffered in its pipe: checked above); a host-supplied
        // pipe is wrapped as a stream.
        // Disposing the SslStream disposes the stream under it: that closes the socket, or wakes a read pending on the
        // host's pipe, so that nothing outlives the session.
        Stream inner = plain is StreamTransport socket ? socket.Stream : new DuplexPipeStream(plain);
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        _sslStream = ssl;
        _plainTransport = plain;
        using var timeout = new CancellationTokenSource(tls.HandshakeTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _aborted.Token);
        try
        {
            await ssl.AuthenticateAsServerAsync(
                static (_, hello, state, _) => ValueTask.FromResult(((SmtpTlsOptions)state!).CreateAuthenticationOptions(string.IsNullOrEmpty(hello.ServerName) ? null : hello.ServerName)),
                tls,
                linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever the peer sends during the handshake (garbage records, a truncated hello, a hello SslStream
            // cannot map to options) surfaces as one of many exception types; each one ends this session only.
            SmtpServerLog.TlsHandshakeFailed(_logger, _context.SessionId, timeout.IsCancellationRequested ? "timeout" : ex.Message);
            return false;
        }

        X509Certificate2? clientCertificate = ssl.RemoteCertificate switch
        {
            null => null,
            X509Certificate2 certificate => certificate,
            X509Certificate other => new X509Certificate2(other),
        };
        _transport = new TlsTransport(ssl);
        _context.Tls = new SmtpTlsInfo(
            ssl.SslProtocol,
            ssl.NegotiatedCipherSuite,
            string.IsNullOrEmpty(ssl.TargetHostName) ? null : ssl.TargetHostName,
            clientCertificate,
            isImplicit);
        _context.IsSecure = true;
        SmtpServerLog.TlsEstablished(_logger, _context.SessionId, _context.Tls.ToString());
        _activity?.SetTag("tls.protocol.version", ssl.SslProtocol.ToString());
        return true;
    }

    /// <summary>Releases the TLS layer and the plain transport under it; called once the session's pipes are completed.</summary>
    private async ValueTask DisposeTlsAsync()
    {
        if (_transport is TlsTransport secure)
        {
            await secure.CloseAsync(_options.CommandTimeout, _options.TimeProvider).ConfigureAwait(false);
        }
        else if (_sslStream is { } ssl)
        {
            try
            {
                // The handshake failed: nothing to shut down gracefully.
                await ssl.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransportFailure(ex))
            {
            }
        }

        if (_plainTransport is { } plain && !ReferenceEquals(plain, _transport))
        {
            try
            {
                await plain.Output.CompleteAsync().ConfigureAwait(false);
                await plain.Input.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransportFailure(ex))
            {
                // The peer is gone; nothing is left to release.
            }
        }
    }

    /// <summary>The refusal MAIL gets on an endpoint that requires TLS or authentication first, else <see langword="null"/>.</summary>
    private SmtpReply? CheckMailPermitted()
    {
        if (_endpoint is null)
        {
            return null;
        }

        if (_endpoint.RequireTls && _context.Tls is null)
        {
            // RFC 3207 §4: 530 5.7.0 until the client issued STARTTLS.
            return s_tlsRequired;
        }

        return _endpoint.RequireAuthentication && _context.AuthenticatedIdentity is null ? s_authRequired : null;
    }
}
