using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Smtp.Core.Protocol;

namespace Smtp.Core.Server;

internal sealed partial class SmtpSession
{
    private static readonly SmtpReply s_startData = new(354, null, "End data with <CR><LF>.<CR><LF>");
    private static readonly SmtpReply s_messageAccepted = new(250, "2.0.0", "OK: message accepted");

    // Back-pressure between the socket and the store: the session stops reading the client while the store
    // has this much unread body, so a slow store bounds memory instead of buffering the message.
    private static readonly PipeOptions s_bodyPipeOptions = new(
        pauseWriterThreshold: 64 * 1024,
        resumeWriterThreshold: 32 * 1024,
        minimumSegmentSize: 4096,
        useSynchronizationContext: false);

    // With RunMessageStoreInline: both sides resume inline, so the store reads what a flush gave it on the session's
    // own thread and the session resumes on the store's thread once it made room; a message costs no thread hop.
    private static readonly PipeOptions s_inlineBodyPipeOptions = new(
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: 64 * 1024,
        resumeWriterThreshold: 32 * 1024,
        minimumSegmentSize: 4096,
        useSynchronizationContext: false);

    private Pipe? _bodyPipe;
    private SmtpReply? _chunkReply;
    private long _chunkReplySize;
    private Task<SmtpResult[]>? _store;
    private SmtpDataDecoder? _decoder;
    private SmtpChunkReader? _chunkReader;
    private bool _bdatActive;
    private bool _bodyDiscarded;

    /// <summary>The DATA phase (RFC 5321 §4.1.1.4): 354, the dot-terminated body streamed to the store, then the reply.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome> ReceiveDataAsync(bool bytesAfterCommand)
    {
        if (bytesAfterCommand)
        {
            // RFC 2920 §3.1: DATA is a synchronisation point; the client must wait for 354 before sending text.
            // Text already here cannot be told apart from commands, and guessing is what smuggling exploits, so
            // the session ends instead of reading either way.
            _errors++;
            Reply(s_pipelinedData);
            SmtpServerLog.Closing(_logger, _context.SessionId, "message text sent before 354");
            return Outcome.Close;
        }

        Reply(s_startData);
        await FlushAsync().ConfigureAwait(false);
        StartBody();
        _decoder ??= new SmtpDataDecoder(_options.MaxMessageSize, _options.BareLineEndings);
        _decoder.Reset();
        bool completed = false;
        while (!completed)
        {
            ReadResult read = await ReadBodyInputAsync().ConfigureAwait(false);
            if (read.IsCanceled)
            {
                return await FailTransferAsync().ConfigureAwait(false);
            }

            ReadOnlySequence<byte> buffer = read.Buffer;
            completed = _decoder.Decode(buffer, BodyOutput, out SequencePosition consumed) == SmtpDataStatus.Completed;
            SmtpServerMetrics.BytesReceived.Add(buffer.Slice(0, consumed).Length);

            // Bytes after the final dot are the next pipelined commands: they stay unexamined.
            if (completed)
            {
                Input.AdvanceTo(consumed);
            }
            else
            {
                Input.AdvanceTo(consumed, buffer.End);
            }

            if (_decoder.SizeExceeded)
            {
                // RFC 1870 §6.2: keep reading to the end of data, keeping nothing, then answer 552.
                DiscardBody(new InvalidDataException("The message exceeds the size limit."));
            }

            if (!await FlushBodyAsync().ConfigureAwait(false))
            {
                return await FailTransferAsync().ConfigureAwait(false);
            }

            if (!completed && read.IsCompleted)
            {
                // The client went away before the final dot: nothing is stored.
                DiscardBody(new EndOfStreamException("The connection closed before the end of the message."));
                await AbortTransactionAsync().ConfigureAwait(false);
                return Outcome.Close;
            }
        }

        SmtpReply? failure = null;
        if (_decoder.SizeExceeded)
        {
            failure = s_sizeExceeded;
        }
        else if (_decoder.RejectMessage)
        {
            // A bare CR or LF in the text: the smuggling precondition (RFC 5321 §2.3.8). Read to the real end,
            // refuse the whole message.
            failure = SmtpReasons.ToReply(SmtpReason.BareLineEndingInData);
            DiscardBody(new InvalidDataException("The message contains a bare CR or LF."));
        }

        await CompleteMessageAsync(failure, _decoder.MessageSize).ConfigureAwait(false);
        return Outcome.Continue;
    }

    /// <summary>One BDAT chunk (RFC 3030 §2): exactly the announced octets, then a reply; LAST ends the message.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome> ReceiveChunkAsync(Step step)
    {
        if (step.Kind == StepKind.BdatSyntaxError)
        {
            SmtpServerLog.Closing(_logger, _context.SessionId, "BDAT without a valid size");
            return Outcome.Close;
        }

        if (step.Refusal is { } refusal)
        {
            // RFC 3030 §2: the chunk is sent anyway; read and drop it, then refuse. The DATA deadline bounds this
            // too, or a huge announced size would hold the session as long as the client trickles.
            bool standalone = !_bdatActive;
            if (standalone)
            {
                _dataTimer.Change(_options.DataTimeout, Timeout.InfiniteTimeSpan);
            }

            bool skipped = await SkipAsync(step.ChunkSize).ConfigureAwait(false);
            if (standalone)
            {
                _dataTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                Interlocked.And(ref _interrupts, ~InterruptDataDeadline);
            }

            if (!skipped)
            {
                return Outcome.Close;
            }

            _errors++;
            Reply(refusal);
            return Outcome.Continue;
        }

        if (!_bdatActive)
        {
            _bdatActive = true;
            StartBody();
            _chunkReader ??= new SmtpChunkReader(_options.MaxMessageSize);
            _chunkReader.Reset();
        }

        _chunkReader!.BeginChunk(step.ChunkSize);
        bool completed = step.ChunkSize == 0;
        while (!completed)
        {
            ReadResult read = await ReadBodyInputAsync().ConfigureAwait(false);
            if (read.IsCanceled)
            {
                return await FailTransferAsync().ConfigureAwait(false);
            }

            ReadOnlySequence<byte> buffer = read.Buffer;
            completed = _chunkReader.Read(buffer, BodyOutput, out SequencePosition consumed) == SmtpDataStatus.Completed;
            SmtpServerMetrics.BytesReceived.Add(buffer.Slice(0, consumed).Length);
            if (completed)
            {
                Input.AdvanceTo(consumed);
            }
            else
            {
                Input.AdvanceTo(consumed, buffer.End);
            }

            if (_chunkReader.SizeExceeded)
            {
                DiscardBody(new InvalidDataException("The message exceeds the size limit."));
            }

            if (!await FlushBodyAsync().ConfigureAwait(false))
            {
                return await FailTransferAsync().ConfigureAwait(false);
            }

            if (!completed && read.IsCompleted)
            {
                DiscardBody(new EndOfStreamException("The connection closed before the end of the chunk."));
                await AbortTransactionAsync().ConfigureAwait(false);
                return Outcome.Close;
            }
        }

        if (_chunkReader.SizeExceeded)
        {
            // RFC 3030 §2 and RFC 1870: the transaction fails; the client must not send further chunks.
            await CompleteMessageAsync(s_sizeExceeded, _chunkReader.MessageSize).ConfigureAwait(false);
            return Outcome.Continue;
        }

        if (!step.Last)
        {
            // Clients send chunks of one size: the reply is made once per size, not per chunk.
            if (_chunkReplySize != step.ChunkSize || _chunkReply is null)
            {
                _chunkReply = new SmtpReply(250, "2.0.0", $"{step.ChunkSize} octets received");
                _chunkReplySize = step.ChunkSize;
            }

            Reply(_chunkReply.Value);
            return Outcome.Continue;
        }

        await CompleteMessageAsync(null, _chunkReader.MessageSize).ConfigureAwait(false);
        return Outcome.Continue;
    }

    private IBufferWriter<byte> BodyOutput => _bodyDiscarded ? DiscardBufferWriter.Instance : _bodyPipe!.Writer;

    /// <summary>Opens the body pipe and starts the store on its reader, so that the body streams as it arrives.</summary>
    private void StartBody()
    {
        Volatile.Write(ref _inTransfer, true);
        _dataTimer.Change(_options.DataTimeout, Timeout.InfiniteTimeSpan);
        _bodyPipe ??= new Pipe(_options.RunMessageStoreInline ? s_inlineBodyPipeOptions : s_bodyPipeOptions);
        _bodyDiscarded = false;
        SmtpEnvelope envelope = _envelope!;
        PipeReader reader = _bodyPipe.Reader;

        // Inline, the store runs until it waits for body (or for its own I/O) and the session goes on reading
        // meanwhile. Otherwise it starts on the thread pool, off the session's call stack, free to block on the body.
        _store = _options.RunMessageStoreInline ? RunStoreAsync(envelope, reader) : RunStoreOnThreadPool(envelope, reader);
    }

    // Apart, so that the closure is allocated only on this path, not for every message of an inline store.
    private Task<SmtpResult[]> RunStoreOnThreadPool(SmtpEnvelope envelope, PipeReader reader) => Task.Run(() => RunStoreAsync(envelope, reader));

    private async Task<SmtpResult[]> RunStoreAsync(SmtpEnvelope envelope, PipeReader body)
    {
        try
        {
            if (_options.Lmtp && _options.MessageStore is ILmtpMessageStore lmtp)
            {
                IReadOnlyList<SmtpResult> results = await lmtp.SaveForRecipientsAsync(_context, envelope, body, _aborted.Token).ConfigureAwait(false);
                if (results.Count != envelope.Recipients.Count)
                {
                    throw new InvalidOperationException($"The LMTP store returned {results.Count} results for {envelope.Recipients.Count} recipients.");
                }

                return [.. results];
            }

            return [await _options.MessageStore.SaveAsync(_context, envelope, body, _aborted.Token).ConfigureAwait(false)];
        }
        finally
        {
            // The store may not keep the reader; completing it also unblocks a session waiting to write more body.
            await body.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads body input with the idle timeout; a shutdown request does not interrupt a transfer.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReadBodyInputAsync()
    {
        while (true)
        {
            ReadResult read = await ReadAsync(preferBuffered: true).ConfigureAwait(false);
            if (!read.IsCanceled || IsInterrupted(InterruptTimeout | InterruptDataDeadline | InterruptAbort))
            {
                return read;
            }
        }
    }

    /// <summary>Gives the store what was decoded; if the store stopped reading, the rest is dropped.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FlushBodyAsync()
    {
        if (_bodyDiscarded)
        {
            return true;
        }

        FlushResult flush = await _bodyPipe!.Writer.FlushAsync().ConfigureAwait(false);
        if (flush.IsCompleted)
        {
            // The store returned before the end of the body: the server drains the rest (see IMessageStore).
            _bodyDiscarded = true;
            await _bodyPipe.Writer.CompleteAsync().ConfigureAwait(false);
        }
        else if (flush.IsCanceled && IsInterrupted(InterruptTimeout | InterruptDataDeadline | InterruptAbort))
        {
            // A store that stalls is bounded by the same deadlines as a client that stalls: the caller fails the
            // transfer (421, close).
            return false;
        }

        return true;
    }

    /// <summary>Fails the body so the store cannot commit it; the rest of the body goes nowhere.</summary>
    private void DiscardBody(Exception reason)
    {
        if (!_bodyDiscarded && _bodyPipe is not null)
        {
            _bodyDiscarded = true;
            _bodyPipe.Writer.Complete(reason);
        }
    }

    /// <summary>A timeout, deadline or abort in the middle of a body: nothing is stored, 421, close.</summary>
    private async ValueTask<Outcome> FailTransferAsync()
    {
        // The reply first: ending the transaction clears the deadline flag that explains it.
        OnInterrupted(inTransfer: false);
        DiscardBody(new TimeoutException("The message transfer was interrupted."));
        await AbortTransactionAsync().ConfigureAwait(false);
        return Outcome.Close;
    }

    /// <summary>Ends the body, waits for the store (so a 250 means stored) and sends the reply or, in LMTP, one per recipient.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CompleteMessageAsync(SmtpReply? failure, long size)
    {
        SmtpEnvelope envelope = _envelope!;
        if (!_bodyDiscarded)
        {
            await _bodyPipe!.Writer.CompleteAsync().ConfigureAwait(false);
            _bodyDiscarded = true;
        }

        SmtpResult[]? results = null;
        try
        {
            // An abort (end of the shutdown grace period, host cancellation) must not wait for a store that
            // ignores its token.
            results = await _store!.WaitAsync(_aborted.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_aborted.IsCancellationRequested)
        {
            Reply(_shutdownReply);
            throw new ConnectionAbortedException("The session was aborted while the store was running.");
        }
        catch (Exception ex) when (failure is null && !IsInterrupted(InterruptAbort))
        {
            // RFC 3463 §3.4: 4.3.0, a local error; the client may retry. The session goes on.
            SmtpServerLog.HandlerFailed(_logger, _context.SessionId, ex);
            failure = s_localError;
        }
        catch (Exception) when (failure is not null || IsInterrupted(InterruptAbort))
        {
            // The store saw the failed body; its own exception adds nothing.
        }

        int replies = _options.Lmtp ? envelope.Recipients.Count : 1;
        bool anyAccepted = false;
        for (int i = 0; i < replies; i++)
        {
            SmtpReply reply = failure ?? results![Math.Min(i, results.Length - 1)].ReplyOr(s_messageAccepted);
            anyAccepted |= reply.IsPositiveCompletion;
            HostReply(reply);
            if (i == 0)
            {
                SmtpServerLog.MessageOutcome(_logger, _context.SessionId, envelope.From, envelope.Recipients.Count, size, reply.ToString());
            }
        }

        (anyAccepted ? SmtpServerMetrics.MessagesAccepted : SmtpServerMetrics.MessagesRejected).Add(1);
        _transactionActivity?.SetTag("smtp.message.size", size);
        _transactionActivity?.SetTag("smtp.message.accepted", anyAccepted);
        EndTransaction();
    }

    /// <summary>Ends the transaction (RSET, EHLO, a failed body, session end); a store in progress sees a failed body.</summary>
    private async ValueTask AbortTransactionAsync()
    {
        if (_store is not null)
        {
            DiscardBody(new OperationCanceledException("The transaction was aborted."));
            if (IsInterrupted(InterruptAbort | InterruptDataDeadline) && !_store.IsCompleted)
            {
                // An abort or a passed DATA deadline must not hang on a store that ignores its token: let it finish
                // on its own, and do not reuse its pipe.
                _ = _store.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                Abandon(_store);
                _store = null;
                _bodyPipe = null;
            }
            else
            {
                try
                {
                    await _store.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The body failed on purpose; whatever the store made of it is moot.
                }
            }
        }

        EndTransaction();
    }

    private void EndTransaction()
    {
        if (_store is not null)
        {
            _store = null;

            // Both ends are complete now (writer by the session, reader by RunStoreAsync): the pipe can be reused.
            _bodyPipe!.Reset();
        }

        _dataTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Interlocked.And(ref _interrupts, ~InterruptDataDeadline);
        Volatile.Write(ref _inTransfer, false);
        _bdatActive = false;
        _envelope = null;
        _transactionActivity?.Dispose();
        _transactionActivity = null;
    }

    /// <summary>Reads and drops <paramref name="count"/> octets (a refused BDAT chunk); false if the client went away.</summary>
    private async ValueTask<bool> SkipAsync(long count)
    {
        while (count > 0)
        {
            ReadResult read = await ReadAsync(preferBuffered: true).ConfigureAwait(false);
            if (read.IsCanceled)
            {
                // A cancellation without a reason that applies here is stale (a timer that fired as its read
                // completed, a shutdown while a transaction is in progress): keep reading, as ReadBodyInputAsync does.
                bool inTransfer = Volatile.Read(ref _inTransfer);
                if (!IsInterrupted(InterruptTimeout | InterruptDataDeadline | InterruptAbort)
                    && !(IsInterrupted(InterruptShutdown) && !inTransfer))
                {
                    continue;
                }

                OnInterrupted(inTransfer);
                return false;
            }

            long take = Math.Min(count, read.Buffer.Length);
            count -= take;
            Input.AdvanceTo(read.Buffer.GetPosition(take));
            if (count > 0 && read.IsCompleted)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An <see cref="IBufferWriter{T}"/> that forgets what is written, for bodies being drained.</summary>
    private sealed class DiscardBufferWriter : IBufferWriter<byte>
    {
        public static readonly DiscardBufferWriter Instance = new();

        // Shared by all sessions: the bytes are never read, so concurrent writes do no harm.
        private readonly byte[] _sink = new byte[16 * 1024];

        public void Advance(int count)
        {
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => sizeHint <= _sink.Length ? _sink : new byte[sizeHint];

        public Span<byte> GetSpan(int sizeHint = 0) => sizeHint <= _sink.Length ? _sink : new byte[sizeHint];
    }
}
