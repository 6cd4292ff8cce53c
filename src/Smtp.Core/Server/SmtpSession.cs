using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Smtp.Core.Protocol;

namespace Smtp.Core.Server;

/// <summary>
/// One SMTP/LMTP session over an <see cref="IDuplexPipe"/>: the greeting, the command loop with its RFC 5321
/// §4.1.4 state machine, and the message body phases. One instance per connection, never shared.
/// </summary>
/// <remarks>
/// Replies are written into the output pipe and flushed once the input holds no further complete command, so
/// a pipelined batch (RFC 2920) is answered with one flush. Timeouts, the DATA deadline, graceful shutdown and
/// aborts all interrupt a pending read with <see cref="PipeReader.CancelPendingRead"/> and say why in
/// <see cref="_interrupts"/>: no token source is created per read.
/// </remarks>
internal sealed partial class SmtpSession
{
    private const int InterruptTimeout = 1;
    private const int InterruptDataDeadline = 2;
    private const int InterruptShutdown = 4;
    private const int InterruptAbort = 8;

    private static readonly SmtpReply s_timeoutReply = new(421, "4.4.2", "Timeout waiting for input, closing connection");
    private static readonly SmtpReply s_dataDeadlineReply = new(421, "4.4.2", "Message transfer took too long, closing connection");

    private readonly SmtpServer _server;
    private readonly SmtpServerOptions _options;
    private readonly SmtpSessionContext _context;
    private readonly ILogger _logger;
    private readonly ITimer _idleTimer;
    private readonly ITimer _dataTimer;
    private readonly CancellationTokenSource _aborted = new();
    private readonly byte[] _scratch;
    private readonly SmtpReply _shutdownReply;
    private readonly SmtpEndpoint? _endpoint;
    private IDuplexPipe _transport;
    private SmtpLineFramer _framer;
    private int _interrupts;
    private int _errors;
    private long _lineStarted;
    private bool _refused;
    private bool _inTransfer;
    private Activity? _activity;

    public SmtpSession(SmtpServer server, IDuplexPipe transport, EndPoint? remote, EndPoint? local, SmtpEndpoint? endpoint = null)
    {
        _endpoint = endpoint;
        _server = server;
        _options = server.Options;
        _logger = server.Logger;
        _transport = transport;
        _context = new SmtpSessionContext(NewSessionId(), remote, local, _options.Lmtp);
        _framer = new SmtpLineFramer(CommandLineLimit(_options), _options.BareLineEndings);
        _scratch = ArrayPool<byte>.Shared.Rent(CommandLineLimit(_options));
        _idleTimer = _options.TimeProvider.CreateTimer(static s => ((SmtpSession)s!).Interrupt(InterruptTimeout), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _dataTimer = _options.TimeProvider.CreateTimer(static s => ((SmtpSession)s!).Interrupt(InterruptDataDeadline), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _shutdownReply = server.Replies.Shutdown;
    }

    private enum Outcome
    {
        Continue,
        Close,
    }

    public ISmtpSessionContext Context => _context;

    /// <summary>The client ended the session with QUIT and got its 221 (not a timeout, error or dropped connection).</summary>
    public bool EndedWithQuit { get; private set; }

    private PipeReader Input => _transport.Input;

    private PipeWriter Output => _transport.Output;

    /// <summary>Answers a connection beyond the limits with 421 and completes the transport.</summary>
    public static async Task RefuseAsync(IDuplexPipe transport, string enhancedCode, string text)
    {
        try
        {
            // RFC 5321 §3.1: a server may refuse with 421 instead of the greeting and close.
            SmtpReplyWriter.Write(transport.Output, new SmtpReply(421, enhancedCode, text));
            await transport.Output.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
        finally
        {
            try
            {
                // A stream-backed writer flushes on completion, which fails if the peer is already gone.
                await transport.Output.CompleteAsync().ConfigureAwait(false);
                await transport.Input.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransportFailure(ex))
            {
            }
        }
    }

    /// <summary>Runs the session to its end; never throws for anything the peer or the host does.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        string outcome = "closed";
        SmtpServerMetrics.ActiveSessions.Add(1);
        _activity = SmtpServerMetrics.ActivitySource.StartActivity("smtp.session", ActivityKind.Server);
        _activity?.SetTag("smtp.session_id", _context.SessionId);
        _activity?.SetTag("network.peer.address", _context.RemoteAddress?.ToString());
        SmtpServerLog.SessionStarted(_logger, _context.SessionId, _context.RemoteEndPoint);
        using CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(static s => ((SmtpSession)s!).Abort(), this);
        try
        {
            if (await StartImplicitTlsAsync().ConfigureAwait(false) == Outcome.Continue
                && await GreetAsync().ConfigureAwait(false) == Outcome.Continue)
            {
                await CommandLoopAsync().ConfigureAwait(false);
            }

            await FlushAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            outcome = "transport failed";
            SmtpServerLog.TransportFailed(_logger, _context.SessionId, ex);
        }
        catch (Exception ex)
        {
            // A defect, not the peer's doing: logged loudly, but one session's failure is not the host's.
            outcome = "failed";
            SmtpServerLog.SessionFailed(_logger, _context.SessionId, ex);
        }
        finally
        {
            await AbortTransactionAsync().ConfigureAwait(false);
            _idleTimer.Dispose();
            _dataTimer.Dispose();
            await CompleteTransportAsync().ConfigureAwait(false);
            await DisposeTlsAsync().ConfigureAwait(false);
            if (_observed)
            {
                await NotifyEndedAsync().ConfigureAwait(false);
            }

            ReleaseAuthBuffer();
            ArrayPool<byte>.Shared.Return(_scratch);
            _aborted.Dispose();
            SmtpServerMetrics.ActiveSessions.Add(-1);
            SmtpServerMetrics.SessionDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            SmtpServerLog.SessionEnded(_logger, _context.SessionId, outcome);
            _activity?.Dispose();
        }
    }

    /// <summary>Graceful shutdown: an idle session answers 421 4.3.2 at once, a transfer finishes first.</summary>
    public void RequestShutdown()
    {
        Interlocked.Or(ref _interrupts, InterruptShutdown);
        if (!Volatile.Read(ref _inTransfer))
        {
            CancelPendingIo();
        }
    }

    /// <summary>Ends the session now, whatever it is doing (shutdown grace period over, host cancellation).</summary>
    public void Abort()
    {
        Interlocked.Or(ref _interrupts, InterruptAbort);
        CancelStoreRead();
        try
        {
            // Cancel runs the host's registrations on this thread: whatever they throw is theirs, and must not stop
            // StopAsync from aborting the other sessions.
            _aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session already ended.
        }
        catch (Exception ex)
        {
            SmtpServerLog.HandlerFailed(_logger, _context.SessionId, ex);
        }

        CancelPendingIo();
    }

    private async ValueTask CompleteTransportAsync()
    {
        try
        {
            // A stream-backed writer flushes on completion, which fails if the peer is already gone.
            await Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
        }

        try
        {
            await Input.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
        }
    }

    private static bool IsTransportFailure(Exception ex)
        => ex is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException
            or System.Net.Sockets.SocketException or ConnectionAbortedException;

    private static string NewSessionId()
    {
        Span<byte> bytes = stackalloc byte[8];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    private void Interrupt(int reason)
    {
        Interlocked.Or(ref _interrupts, reason);
        if (reason == InterruptDataDeadline)
        {
            CancelStoreRead();
        }

        CancelPendingIo();
    }

    /// <summary>
    /// The transfer is failing for good (DATA deadline, abort): wakes a store blocked on the body. Only an inline
    /// store needs this, as it may block the very thread that would otherwise fail the body.
    /// </summary>
    private void CancelStoreRead()
    {
        if (_options.RunMessageStoreInline)
        {
            try
            {
                _bodyPipe?.Reader.CancelPendingRead();
            }
            catch (Exception)
            {
                // The pipe is being reset by the session: nothing is waiting on it.
            }
        }
    }

    private void CancelPendingIo()
    {
        try
        {
            Input.CancelPendingRead();
            Output.CancelPendingFlush();
            _bodyPipe?.Writer.CancelPendingFlush();
        }
        catch (Exception)
        {
            // The transport is already completed (the session is ending anyway), or a transport misbehaved: this
            // runs on timer threads too, where an exception would take the process down.
        }
    }

    private bool IsInterrupted(int reasons) => (Volatile.Read(ref _interrupts) & reasons) != 0;

    /// <summary>
    /// Moves to the thread pool if the session still runs in the listener's accept loop (it started there and has not
    /// waited for anything yet): before a TLS handshake, a host callback or a buffered command, any of which would
    /// otherwise hold up accepting the next connection. Free in every other case (a thread-static read).
    /// </summary>
    private static async ValueTask LeaveAcceptLoopAsync()
    {
        if (SmtpServer.OnAcceptLoop)
        {
            await Task.Yield();
        }
    }

    private async ValueTask<Outcome> GreetAsync()
    {
        if (_options.SessionObserver is not null || _options.ConnectionFilter is not null)
        {
            await LeaveAcceptLoopAsync().ConfigureAwait(false);
        }

        if (_options.SessionObserver is { } observer && await NotifyStartedAsync(observer).ConfigureAwait(false) == Outcome.Close)
        {
            return Outcome.Close;
        }

        if (_options.ConnectionFilter is { } filter)
        {
            SmtpResult result;
            try
            {
                ValueTask<SmtpResult> pending = filter.AcceptConnectionAsync(_context, _aborted.Token);

                // Like every host call, an abort (or a filter that never answers) must not wait for it.
                if (pending.IsCompleted)
                {
                    result = pending.Result;
                }
                else
                {
                    Task<SmtpResult> task = pending.AsTask();
                    try
                    {
                        result = await task.WaitAsync(_options.CommandTimeout, _options.TimeProvider, _aborted.Token).ConfigureAwait(false);
                    }
                    catch (Exception) when (Abandon(task))
                    {
                        throw;
                    }
                }
            }
            catch (Exception) when (IsInterrupted(InterruptAbort))
            {
                return Outcome.Close;
            }
            catch (Exception ex)
            {
                // A failing filter, or one that did not answer within the command timeout.
                SmtpServerLog.HandlerFailed(_logger, _context.SessionId, ex);
                result = SmtpResult.Reject(421, "4.3.0", _options.ServerName + " Local error, try again later");
            }

            if (!result.IsAccepted)
            {
                SmtpReply refusal = result.Reply!.Value;
                Reply(refusal);
                if (refusal.Code == 421)
                {
                    SmtpServerLog.Closing(_logger, _context.SessionId, "refused by the connection filter");
                    return Outcome.Close;
                }

                // RFC 5321 §3.1: after a 554 greeting the server waits for QUIT and answers every other command
                // 503; the error budget and the command timeout still bound the session.
                _refused = true;
                return Outcome.Continue;
            }
        }

        if (_options.GreetingDelay > TimeSpan.Zero && await WatchBeforeGreetingAsync().ConfigureAwait(false) == Outcome.Close)
        {
            return Outcome.Close;
        }

        // RFC 5321 §4.3.1: the client waits for the greeting. Bytes already here were sent blind, the mark of a
        // bot or of a client that would take later replies for the wrong commands: refuse it (as Postfix does).
        if (Input.TryRead(out ReadResult early))
        {
            bool spoke = !early.Buffer.IsEmpty;
            Input.AdvanceTo(early.Buffer.Start);
            if (spoke)
            {
                RefuseEarlyTalker();
                return Outcome.Close;
            }
        }

        if (IsInterrupted(InterruptShutdown | InterruptAbort))
        {
            Reply(_shutdownReply);
            return Outcome.Close;
        }

        // RFC 2034 §3: the greeting carries no enhanced code; it names no software or version.
        Reply(_server.Replies.Greeting);
        return Outcome.Continue;
    }

    private void RefuseEarlyTalker()
    {
        Reply(new SmtpReply(554, "5.5.0", "SMTP protocol synchronization error: input before the greeting"));
        SmtpServerLog.Closing(_logger, _context.SessionId, "client spoke before the greeting");
    }

    /// <summary>
    /// Waits out <see cref="SmtpServerOptions.GreetingDelay"/> with a read pending, so that input sent before the
    /// greeting is seen as it arrives (a socket shows nothing to a mere <see cref="PipeReader.TryRead"/>).
    /// </summary>
    private async ValueTask<Outcome> WatchBeforeGreetingAsync()
    {
        using ITimer delay = _options.TimeProvider.CreateTimer(static s => ((SmtpSession)s!).CancelPendingIo(), this, _options.GreetingDelay, Timeout.InfiniteTimeSpan);
        while (true)
        {
            ReadResult read = await Input.ReadAsync().ConfigureAwait(false);
            if (IsInterrupted(InterruptAbort))
            {
                return Outcome.Close;
            }

            if (read.IsCanceled)
            {
                // The delay is over (or a shutdown asked to end it): the caller looks at what is buffered.
                return Outcome.Continue;
            }

            if (!read.Buffer.IsEmpty)
            {
                Input.AdvanceTo(read.Buffer.Start);
                RefuseEarlyTalker();
                return Outcome.Close;
            }

            Input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            if (read.IsCompleted)
            {
                return Outcome.Close;
            }
        }
    }

    /// <summary>
    /// Reads the next input, arming the command timeout. Pending replies are flushed before waiting, but not when
    /// <paramref name="preferBuffered"/> and input is already buffered: a pipelined BDAT chunk, say, is read
    /// without a flush so that its reply joins the batch.
    /// </summary>
    /// <param name="preferBuffered">
    /// Take buffered input without flushing. Only for callers that consume everything they are given (body
    /// phases), since a buffer already examined would be returned again.
    /// </param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReadAsync(bool preferBuffered = false)
    {
        if (preferBuffered && Input.TryRead(out ReadResult buffered))
        {
            if (!buffered.Buffer.IsEmpty || buffered.IsCompleted || buffered.IsCanceled)
            {
                return buffered;
            }

            Input.AdvanceTo(buffered.Buffer.Start);
        }

        await FlushAsync().ConfigureAwait(false);
        TimeSpan timeout = _options.CommandTimeout;
        if (!preferBuffered)
        {
            // A command line has one deadline, however many reads it takes: a client trickling one byte at a time
            // must not keep the session forever (RFC 5321 §4.5.3.2 timeouts are per command).
            TimeProvider time = _options.TimeProvider;
            if (_lineStarted == 0)
            {
                _lineStarted = time.GetTimestamp();
            }

            timeout -= time.GetElapsedTime(_lineStarted);
            if (timeout < TimeSpan.Zero)
            {
                timeout = TimeSpan.Zero;
            }
        }

        _idleTimer.Change(timeout, Timeout.InfiniteTimeSpan);
        ReadResult result;
        try
        {
            result = await Input.ReadAsync().ConfigureAwait(false);

            // Input that was already here (sent before the client could have read the greeting) completes the read at
            // once: its commands, and the host code they call, must not run on the listener's accept loop.
            await LeaveAcceptLoopAsync().ConfigureAwait(false);
        }
        finally
        {
            _idleTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        if (!result.IsCanceled)
        {
            // Input arrived in time: a timer that fired as it did is stale. Its cancellation, if still pending, is
            // then seen without a reason and the callers read again (with what is left of the deadline).
            Interlocked.And(ref _interrupts, ~InterruptTimeout);
        }

        return result;
    }

    /// <summary>A complete command line was consumed: the next line gets a fresh deadline.</summary>
    private void EndCommandLine() => _lineStarted = 0;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushAsync()
    {
        long started = 0;
        for (int attempt = 0; ; attempt++)
        {
            // A retry flushes even with nothing unflushed: a cancelled flush has committed its bytes, and waiting for
            // the reader to take them is the point.
            if (attempt == 0 && Output.CanGetUnflushedBytes && Output.UnflushedBytes == 0)
            {
                return;
            }

            // A client that does not read its replies must not hold the session either: one timeout for the whole
            // flush, retries included.
            TimeSpan timeout = _options.CommandTimeout;
            if (attempt == 0)
            {
                started = _options.TimeProvider.GetTimestamp();
            }
            else
            {
                timeout -= _options.TimeProvider.GetElapsedTime(started);
                if (timeout <= TimeSpan.Zero)
                {
                    throw new ConnectionAbortedException("The client does not read its replies.");
                }
            }

            _idleTimer.Change(timeout, Timeout.InfiniteTimeSpan);
            FlushResult result;
            try
            {
                result = await Output.FlushAsync().ConfigureAwait(false);
            }
            finally
            {
                _idleTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }

            if (!result.IsCanceled || result.IsCompleted)
            {
                return;
            }

            // The first cancellation may be left over from an interrupt aimed at a read; a second one is real, and so
            // is one that comes when this flush's own time is up.
            if ((attempt > 0 && IsInterrupted(InterruptTimeout | InterruptAbort | InterruptDataDeadline))
                || _options.TimeProvider.GetElapsedTime(started) >= _options.CommandTimeout)
            {
                throw new ConnectionAbortedException("The client does not read its replies.");
            }
        }
    }

    /// <summary>
    /// Answers an interrupted read. Returns <see cref="Outcome.Continue"/> only for a shutdown request that must
    /// wait (a transfer is in progress).
    /// </summary>
    private Outcome OnInterrupted(bool inTransfer)
    {
        int reasons = Volatile.Read(ref _interrupts);
        if ((reasons & InterruptAbort) != 0)
        {
            Reply(_shutdownReply);
            SmtpServerLog.Closing(_logger, _context.SessionId, "aborted");
            return Outcome.Close;
        }

        if ((reasons & InterruptDataDeadline) != 0)
        {
            Reply(s_dataDeadlineReply);
            SmtpServerLog.Closing(_logger, _context.SessionId, "DATA deadline passed");
            return Outcome.Close;
        }

        if ((reasons & InterruptTimeout) != 0)
        {
            // RFC 5321 §4.5.3.2: after a timeout the server closes, with a 421 first (§3.8).
            Reply(s_timeoutReply);
            SmtpServerLog.Closing(_logger, _context.SessionId, "command timeout");
            return Outcome.Close;
        }

        if ((reasons & InterruptShutdown) != 0 && !inTransfer)
        {
            Reply(_shutdownReply);
            SmtpServerLog.Closing(_logger, _context.SessionId, "server shutting down");
            return Outcome.Close;
        }

        return Outcome.Continue;
    }

    private void Reply(in SmtpReply reply)
    {
        SmtpReplyWriter.Write(Output, reply);
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            SmtpServerLog.ServerReply(_logger, _context.SessionId, reply.ToString());
        }
    }

    private sealed class ConnectionAbortedException(string message) : IOException(message);
}
