using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Smtp.Core.Protocol;

namespace Smtp.Core.Server;

internal sealed partial class SmtpSession
{
    private static readonly SmtpReply s_ok = new(250, "2.0.0", "OK");
    private static readonly SmtpReply s_senderOk = new(250, "2.1.0", "Sender OK");
    private static readonly SmtpReply s_recipientOk = new(250, "2.1.5", "Recipient OK");
    private static readonly SmtpReply s_helloFirst = new(503, "5.5.1", "Bad sequence of commands: send EHLO or HELO first");
    private static readonly SmtpReply s_lhloFirst = new(503, "5.5.1", "Bad sequence of commands: send LHLO first");
    private static readonly SmtpReply s_nestedMail = new(503, "5.5.1", "Bad sequence of commands: a transaction is already open");
    private static readonly SmtpReply s_needMail = new(503, "5.5.1", "Bad sequence of commands: send MAIL first");
    private static readonly SmtpReply s_noRecipients = new(554, "5.5.1", "No valid recipients");
    private static readonly SmtpReply s_noRecipientsLmtp = new(503, "5.5.1", "No valid recipients");
    private static readonly SmtpReply s_dataAfterBdat = new(503, "5.5.1", "Bad sequence of commands: the message is being sent with BDAT");
    private static readonly SmtpReply s_binaryNeedsBdat = new(503, "5.5.1", "Bad sequence of commands: BODY=BINARYMIME requires BDAT");
    private static readonly SmtpReply s_bdatNeedsEhlo = new(503, "5.5.1", "Bad sequence of commands: BDAT requires EHLO (RFC 3030)");
    private static readonly SmtpReply s_rcptAfterBdat = new(503, "5.5.1", "Bad sequence of commands: RCPT after BDAT");
    private static readonly SmtpReply s_parametersNeedEhlo = new(555, "5.5.4", "MAIL/RCPT parameters need EHLO");
    private static readonly SmtpReply s_parameterNotOffered = new(555, "5.5.4", "Parameter not supported");
    private static readonly SmtpReply s_sizeExceeded = new(552, "5.3.4", "Message size exceeds fixed maximum message size");
    private static readonly SmtpReply s_tooManyRecipients = new(452, "4.5.3", "Too many recipients");
    private static readonly SmtpReply s_localError = new(451, "4.3.0", "Local error in processing, try again later");
    private static readonly SmtpReply s_vrfy = new(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
    private static readonly SmtpReply s_expn = new(502, "5.5.1", "EXPN not available");
    private static readonly SmtpReply s_noTls = new(454, "4.7.0", "TLS not available");
    private static readonly SmtpReply s_noAuth = new(502, "5.5.1", "Authentication not available");
    private static readonly SmtpReply s_helloInLmtp = new(500, "5.5.1", "This is an LMTP server: use LHLO");
    private static readonly SmtpReply s_lhloInSmtp = new(500, "5.5.1", "LHLO is for LMTP only: use EHLO");
    private static readonly SmtpReply s_helpSmtp = new(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP");
    private static readonly SmtpReply s_helpLmtp = new(214, "2.0.0", "Commands: LHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP");
    private static readonly SmtpReply s_refusedSession = new(503, "5.5.1", "Bad sequence of commands: service refused, send QUIT");
    private static readonly SmtpReply s_tooManyErrors = new(421, "4.7.0", "Too many errors, closing connection");
    private static readonly SmtpReply s_tooManyRejected = new(421, "4.7.0", "Too many rejected recipients, closing connection");
    private static readonly SmtpReply s_pipelinedData = new(554, "5.5.0", "SMTP protocol synchronization error: message text sent before the 354 reply");

    private const int MaxUnflushedReplyBytes = 32 * 1024;

    private SmtpEnvelope? _envelope;
    private Activity? _transactionActivity;
    private string[]? _ehloKeywords;
    private int _rejectedRecipients;
    private bool _closeAfterReply;

    private enum StepKind
    {
        /// <summary>Done: the reply (if any) is written.</summary>
        None,
        Close,
        Mail,
        Rcpt,
        Data,
        Bdat,
        BdatSyntaxError,
        Reset,
        StartTls,
        Auth,
    }

    private async ValueTask CommandLoopAsync()
    {
        // After a body phase the input may already hold the next pipelined commands: look before waiting, so that
        // their replies join the pending ones in one flush.
        bool mustWait = true;
        while (true)
        {
            if (_closeAfterReply)
            {
                // RFC 5321 §3.8: a 421 (from the host, or a limit) means the server closes the channel.
                SmtpServerLog.Closing(_logger, _context.SessionId, "421 sent");
                return;
            }

            if (_errors > _options.MaxProtocolErrors)
            {
                // A client that keeps sending garbage is broken or probing: stop listening to it.
                Reply(s_tooManyErrors);
                SmtpServerLog.Closing(_logger, _context.SessionId, "too many protocol errors");
                return;
            }

            // A BDAT transaction between chunks is a transfer in progress: shutdown lets it finish (grace period).
            if (IsInterrupted(InterruptShutdown | InterruptAbort | InterruptTimeout | InterruptDataDeadline)
                && OnInterrupted(inTransfer: Volatile.Read(ref _inTransfer)) == Outcome.Close)
            {
                return;
            }

            ReadResult result;
            if (mustWait || !Input.TryRead(out result))
            {
                result = await ReadAsync().ConfigureAwait(false);
            }

            if (result.IsCanceled)
            {
                if (OnInterrupted(inTransfer: Volatile.Read(ref _inTransfer)) == Outcome.Close)
                {
                    return;
                }

                continue;
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            SequencePosition consumed = buffer.Start;
            Step step = default;
            bool more = false;
            try
            {
                while (true)
                {
                    var reader = new SequenceReader<byte>(buffer.Slice(consumed));
                    SmtpLineStatus status = _framer.TryReadLine(ref reader, out ReadOnlySequence<byte> line);
                    consumed = reader.Position;
                    if (status == SmtpLineStatus.NeedMoreData)
                    {
                        break;
                    }

                    EndCommandLine();
                    long started = Stopwatch.GetTimestamp();
                    step = Prepare(status, line);
                    more = !reader.End;
                    if (step.Kind is StepKind.Data or StepKind.Bdat or StepKind.BdatSyntaxError or StepKind.Close or StepKind.StartTls or StepKind.Auth)
                    {
                        // The body (or nothing) follows: leave the loop with the line consumed.
                        break;
                    }

                    await ExecuteAsync(step).ConfigureAwait(false);
                    RecordCommand(step.Verb, started);
                    step = default;
                    if (_errors > _options.MaxProtocolErrors || _closeAfterReply)
                    {
                        break;
                    }

                    if (Output.CanGetUnflushedBytes && Output.UnflushedBytes > MaxUnflushedReplyBytes)
                    {
                        // An enormous batch: send what is due rather than buffer replies without bound.
                        await FlushAsync().ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                // Whatever was examined without forming a line need not be looked at again until more arrives.
                if (step.Kind is StepKind.None)
                {
                    Input.AdvanceTo(consumed, buffer.End);
                }
                else
                {
                    Input.AdvanceTo(consumed);
                }
            }

            if (_errors > _options.MaxProtocolErrors || _closeAfterReply)
            {
                continue;
            }

            switch (step.Kind)
            {
                case StepKind.Close:
                    EndedWithQuit = step.Verb == SmtpVerb.Quit;
                    return;

                case StepKind.Data:
                    if (await ReceiveDataAsync(bytesAfterCommand: more).ConfigureAwait(false) == Outcome.Close)
                    {
                        return;
                    }

                    mustWait = false;
                    continue;

                case StepKind.StartTls:
                    if (await StartTlsAsync(bytesAfterCommand: more).ConfigureAwait(false) == Outcome.Close)
                    {
                        return;
                    }

                    continue;

                case StepKind.Auth:
                    if (await AuthenticateAsync().ConfigureAwait(false) == Outcome.Close)
                    {
                        return;
                    }

                    mustWait = false;
                    continue;

                case StepKind.Bdat:
                case StepKind.BdatSyntaxError:
                    if (await ReceiveChunkAsync(step).ConfigureAwait(false) == Outcome.Close)
                    {
                        return;
                    }

                    mustWait = false;
                    continue;
            }

            if (result.IsCompleted)
            {
                // The client closed without QUIT; an open transaction is discarded.
                return;
            }

            mustWait = true;
        }
    }

    private static void RecordCommand(SmtpVerb verb, long started)
    {
        if (SmtpServerMetrics.CommandDuration.Enabled)
        {
            SmtpServerMetrics.CommandDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("smtp.command", VerbName(verb)));
        }
    }

    // Indexed by SmtpVerb: a metric tag per command must not allocate a string per command.
    private static readonly string[] s_verbNames =
        ["unknown", "HELO", "EHLO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP", "STARTTLS", "AUTH"];

    internal static string VerbName(SmtpVerb verb) => (uint)verb < (uint)s_verbNames.Length ? s_verbNames[(int)verb] : "unknown";

    /// <summary>
    /// Parses one line and does everything that needs no host call; returns what is left to do. Synchronous
    /// because the parsed command is a ref struct over the pipe's memory.
    /// </summary>
    private Step Prepare(SmtpLineStatus status, in ReadOnlySequence<byte> line)
    {
        switch (status)
        {
            case SmtpLineStatus.LineTooLong:
                return Error(SmtpReasons.ToReply(SmtpReason.LineTooLong));
            case SmtpLineStatus.BareLineFeed:
                return Error(SmtpReasons.ToReply(SmtpReason.BareLineFeed));
            case SmtpLineStatus.BareCarriageReturn:
                return Error(SmtpReasons.ToReply(SmtpReason.BareCarriageReturn));
        }

        if (!CheckLineLength(line))
        {
            return Error(SmtpReasons.ToReply(SmtpReason.LineTooLong));
        }

        SmtpParseOptions parseOptions = _envelope is { IsUtf8: true } ? SmtpParseOptions.Utf8Transaction : SmtpParseOptions.None;
        SmtpReason reason = SmtpCommandParser.Parse(line, _scratch, parseOptions, out SmtpCommand command);
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            LogClientLine(line, command.Verb);
        }

        if (_refused)
        {
            // RFC 5321 §3.1: the connection was refused with 554; only QUIT is honoured.
            if (reason == SmtpReason.None && command.Verb == SmtpVerb.Quit)
            {
                Reply(_server.Replies.Quit);
                return new Step(StepKind.Close, SmtpVerb.Quit);
            }

            return Error(s_refusedSession);
        }

        if (reason != SmtpReason.None)
        {
            if (reason == SmtpReason.BdatSyntax)
            {
                // Without a valid size the chunk's end is unknown: whatever follows could be message text read as
                // commands, so the session ends after the reply.
                Reply(SmtpReasons.ToReply(reason));
                return new Step(StepKind.BdatSyntaxError, SmtpVerb.Bdat);
            }

            return Error(SmtpReasons.ToReply(reason));
        }

        bool greeted = _context.ClientName is not null;
        switch (command.Verb)
        {
            case SmtpVerb.Helo or SmtpVerb.Ehlo or SmtpVerb.Lhlo:
                return Hello(command);

            case SmtpVerb.Mail:
                return greeted ? Mail(command) : Error(HelloFirst);

            case SmtpVerb.Rcpt:
                return greeted ? Rcpt(command) : Error(HelloFirst);

            case SmtpVerb.Data:
                if (!greeted)
                {
                    return Error(HelloFirst);
                }

                SmtpReply? refusal = CheckReadyForData();
                if (refusal is not null)
                {
                    return Error(refusal.Value);
                }

                if (_bdatActive)
                {
                    return Error(s_dataAfterBdat);
                }

                if (_envelope!.BodyType == SmtpBodyType.BinaryMime)
                {
                    // RFC 3030 §3: a BINARYMIME body cannot be sent with DATA.
                    return Error(s_binaryNeedsBdat);
                }

                return new Step(StepKind.Data, SmtpVerb.Data);

            case SmtpVerb.Bdat:
                return new Step(StepKind.Bdat, SmtpVerb.Bdat)
                {
                    ChunkSize = command.ChunkSize,
                    Last = command.IsLastChunk,
                    Refusal = !greeted ? HelloFirst : !_context.IsExtended ? s_bdatNeedsEhlo : CheckReadyForData(),
                };

            case SmtpVerb.Rset:
                // RFC 5321 §4.1.1.5: RSET ends the transaction, whatever state it is in.
                Reply(s_ok);
                return new Step(StepKind.Reset, SmtpVerb.Rset);

            case SmtpVerb.Noop:
                Reply(s_ok);
                return new Step(StepKind.None, SmtpVerb.Noop);

            case SmtpVerb.Quit:
                Reply(_server.Replies.Quit);
                return new Step(StepKind.Close, SmtpVerb.Quit);

            case SmtpVerb.Vrfy:
                // RFC 5321 §3.5.3: 252 when the server will not verify but will accept mail for the address.
                Reply(s_vrfy);
                return new Step(StepKind.None, SmtpVerb.Vrfy);

            case SmtpVerb.Expn:
                Reply(s_expn);
                return new Step(StepKind.None, SmtpVerb.Expn);

            case SmtpVerb.Help:
                Reply(_options.Lmtp ? s_helpLmtp : s_helpSmtp);
                return new Step(StepKind.None, SmtpVerb.Help);

            case SmtpVerb.StartTls:
                return StartTls();

            default:
                return Auth(command);
        }
    }

    private SmtpReply HelloFirst => _options.Lmtp ? s_lhloFirst : s_helloFirst;

    private SmtpReply? CheckReadyForData()
    {
        if (_envelope is null)
        {
            return s_needMail;
        }

        // RFC 5321 §3.3: DATA without an accepted recipient gets 503 or 554; RFC 2033 §4.2 requires 503 in LMTP.
        return _envelope.Recipients.Count == 0 ? (_options.Lmtp ? s_noRecipientsLmtp : s_noRecipients) : null;
    }

    private Step Error(in SmtpReply reply)
    {
        _errors++;
        Reply(reply);
        return default;
    }

    private Step Hello(in SmtpCommand command)
    {
        bool lmtpVerb = command.Verb == SmtpVerb.Lhlo;
        if (lmtpVerb != _options.Lmtp)
        {
            // RFC 2033 §4.1: LMTP has LHLO instead of HELO and EHLO.
            return Error(_options.Lmtp ? s_helloInLmtp : s_lhloInSmtp);
        }

        string name = Encoding.UTF8.GetString(command.Domain);

        // RFC 5321 §4.1.4: EHLO (or HELO) in the middle of a transaction resets it, like RSET.
        _context.ClientName = name;
        _context.IsExtended = command.Verb != SmtpVerb.Helo;
        if (command.Verb == SmtpVerb.Helo)
        {
            Reply(new SmtpReply(250, null, $"{_options.ServerName} Hello {name}"));
        }
        else
        {
            SmtpReplyWriter.WriteEhlo(Output, _options.ServerName, "Hello " + name, EhloKeywords());
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                SmtpServerLog.ServerReply(_logger, _context.SessionId, "250 " + _options.ServerName + " " + string.Join(' ', EhloKeywords()));
            }
        }

        return new Step(StepKind.Reset, command.Verb);
    }

    private string[] EhloKeywords() => _ehloKeywords ??= BuildEhloKeywords();

    private string[] BuildEhloKeywords()
    {
        // The extensions every session offers are built once per server; only STARTTLS and AUTH vary.
        string[] keywords = _server.Replies.EhloKeywords;
        return _endpoint?.Tls is null && _options.Authentication is null ? keywords : [.. keywords, .. SecurityKeywords()];
    }

    private Step Mail(in SmtpCommand command)
    {
        if (_envelope is not null)
        {
            return Error(s_nestedMail);
        }

        if (CheckMailPermitted() is { } refusal)
        {
            Reply(refusal);
            return default;
        }

        bool hasParameters = command.Size.HasValue || command.Body != SmtpBodyType.None || command.SmtpUtf8
            || command.Return != SmtpDsnReturn.None || !command.EnvelopeId.IsEmpty || command.HasAuthParameter || command.RequireTls;
        if (hasParameters && !_context.IsExtended)
        {
            // RFC 5321 §4.1.1.11 and RFC 1869: parameters belong to extensions a HELO client did not ask for.
            return Error(s_parametersNeedEhlo);
        }

        if ((command.HasAuthParameter && _options.Authentication is null) || command.RequireTls)
        {
            // Not advertised (AUTH without an authenticator, REQUIRETLS): RFC 5321 §4.1.1.11 gives 555.
            return Error(s_parameterNotOffered);
        }

        if (command.Size > _options.MaxMessageSize)
        {
            // RFC 1870 §6.1: a declared size over the fixed limit is refused at MAIL with 552 5.3.4.
            Reply(s_sizeExceeded);
            return default;
        }

        string? envelopeId = null;
        if (!command.EnvelopeId.IsEmpty && !Xtext.TryDecodeToString(command.EnvelopeId, out envelopeId))
        {
            return Error(SmtpReasons.ToReply(SmtpReason.InvalidXtext));
        }

        var envelope = new SmtpEnvelope(command.Path.GetMailbox())
        {
            DeclaredSize = command.Size,
            BodyType = command.Body,
            IsUtf8 = command.SmtpUtf8,
            DsnReturn = command.Return,
            DsnEnvelopeId = envelopeId,
            AuthorizedSender = MailAuthParameter(command.AuthParameter),
        };
        return new Step(StepKind.Mail, SmtpVerb.Mail) { Envelope = envelope };
    }

    private Step Rcpt(in SmtpCommand command)
    {
        if (_envelope is null)
        {
            return Error(s_needMail);
        }

        if (_bdatActive)
        {
            return Error(s_rcptAfterBdat);
        }

        if ((command.Notify != SmtpDsnNotify.None || !command.OriginalRecipient.IsEmpty) && !_context.IsExtended)
        {
            return Error(s_parametersNeedEhlo);
        }

        if (_envelope.Recipients.Count >= _options.MaxRecipients)
        {
            // RFC 5321 §4.5.3.1.10: 452 for too many recipients; the client sends the rest in a new transaction.
            Reply(s_tooManyRecipients);
            return default;
        }

        string? originalRecipient = null;
        if (!command.OriginalRecipient.IsEmpty)
        {
            // RFC 3461 §4.2: ORCPT=addr-type;xtext, the type plain atext; for the utf-8 type, RFC 6533 §3's
            // utf-8-addr-xtext or unitext. The parser validated both; the host gets the address decoded.
            ReadOnlySpan<byte> orcpt = command.OriginalRecipient;
            int semicolon = orcpt.IndexOf((byte)';');
            ReadOnlySpan<byte> type = orcpt[..semicolon];
            string? address;
            if (Ascii.EqualsIgnoreCase(type, "utf-8"u8))
            {
                address = Utf8AddressText.Decode(orcpt[(semicolon + 1)..]);
            }
            else if (!Xtext.TryDecodeToString(orcpt[(semicolon + 1)..], out address))
            {
                return Error(SmtpReasons.ToReply(SmtpReason.InvalidXtext));
            }

            originalRecipient = Encoding.ASCII.GetString(type) + ";" + address;
        }

        var recipient = new SmtpRecipient(command.Path.GetMailbox(), command.Notify, originalRecipient);
        return new Step(StepKind.Rcpt, SmtpVerb.Rcpt) { Recipient = recipient };
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ExecuteAsync(Step step)
    {
        switch (step.Kind)
        {
            case StepKind.Mail:
                {
                    SmtpEnvelope envelope = step.Envelope!;
                    SmtpResult result = _options.MailboxFilter is { } filter
                        ? await CallHostAsync(static (f, c, e, _, t) => f.CanAcceptFromAsync(c, e, t), filter, envelope, null).ConfigureAwait(false)
                        : SmtpResult.Accept();
                    if (result.IsAccepted)
                    {
                        _envelope = envelope;
                        _transactionActivity = SmtpServerMetrics.ActivitySource.StartActivity("smtp.transaction", ActivityKind.Server, _activity?.Context ?? default);
                    }

                    HostReply(result.ReplyOr(s_senderOk));
                    break;
                }

            case StepKind.Rcpt:
                {
                    SmtpEnvelope envelope = _envelope!;
                    SmtpResult result = _options.MailboxFilter is { } filter
                        ? await CallHostAsync(static (f, c, e, r, t) => f.CanDeliverToAsync(c, e, r!, t), filter, envelope, step.Recipient).ConfigureAwait(false)
                        : SmtpResult.Accept();
                    if (result.IsAccepted)
                    {
                        envelope.AddRecipient(step.Recipient!);
                    }
                    else if (++_rejectedRecipients > _options.MaxRejectedRecipients)
                    {
                        // Address probing (a dictionary attack): the refusals are the host's, not protocol errors,
                        // but they are not unlimited either.
                        HostReply(s_tooManyRejected);
                        break;
                    }

                    HostReply(result.ReplyOr(s_recipientOk));
                    break;
                }

            case StepKind.Reset:
                await AbortTransactionAsync().ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Writes a reply decided by the host (or a limit); a 421 ends the session once it is sent.</summary>
    private void HostReply(in SmtpReply reply)
    {
        Reply(reply);
        if (reply.Code == 421)
        {
            _closeAfterReply = true;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<SmtpResult> CallHostAsync(
        Func<IMailboxFilter, ISmtpSessionContext, SmtpEnvelope, SmtpRecipient?, CancellationToken, ValueTask<SmtpResult>> call,
        IMailboxFilter filter,
        SmtpEnvelope envelope,
        SmtpRecipient? recipient)
    {
        try
        {
            ValueTask<SmtpResult> pending = call(filter, _context, envelope, recipient, _aborted.Token);

            if (pending.IsCompleted)
            {
                return pending.Result;
            }

            // An abort must not wait for a host that ignores its token.
            Task<SmtpResult> task = pending.AsTask();
            try
            {
                return await task.WaitAsync(_aborted.Token).ConfigureAwait(false);
            }
            catch (Exception) when (Abandon(task))
            {
                throw;
            }
        }
        catch (Exception ex) when (!IsInterrupted(InterruptAbort))
        {
            // A failing host is a local error, not the client's: 451 and the session goes on.
            SmtpServerLog.HandlerFailed(_logger, _context.SessionId, ex);
            return SmtpResult.FromReply(s_localError);
        }
    }

    private void LogClientLine(in ReadOnlySequence<byte> line, SmtpVerb verb)
    {
        string text = Encoding.UTF8.GetString(line);
        if (verb == SmtpVerb.Auth || text.StartsWith("AUTH ", StringComparison.OrdinalIgnoreCase))
        {
            // Never log SASL data: keep the mechanism name only.
            int space = text.IndexOf(' ', 5);
            text = (space < 0 ? text : text[..space]) + " ***";
        }
        else if (verb == SmtpVerb.None && LooksLikeSaslResponse(line))
        {
            // A credential line sent after a refused AUTH (pipelined, or by a client that ignored the reply).
            text = "***";
        }

        SmtpServerLog.ClientLine(_logger, _context.SessionId, text);
    }

    private readonly record struct Step(StepKind Kind, SmtpVerb Verb)
    {
        public SmtpEnvelope? Envelope { get; init; }

        public SmtpRecipient? Recipient { get; init; }

        public long ChunkSize { get; init; }

        public bool Last { get; init; }

        public SmtpReply? Refusal { get; init; }
    }
}
