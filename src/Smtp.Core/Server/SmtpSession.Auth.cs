using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Smtp.Core.Auth;
using Smtp.Core.Protocol;

namespace Smtp.Core.Server;

/// <summary>
/// AUTH (RFC 4954): the command's checks, the SASL exchange over 334 continuation lines, the authenticator call,
/// the failure delay and limit, and MAIL's AUTH= parameter.
/// </summary>
internal sealed partial class SmtpSession
{
    // RFC 4954 §4: a continuation line holds at most 12,288 octets of base64 (CRLF included).
    private const int AuthDecodedMax = SmtpLineFramer.AuthMaxLineLength / 4 * 3;

    private static readonly SmtpReply s_authenticated = new(235, "2.7.0", "Authentication successful");
    private static readonly SmtpReply s_alreadyAuthenticated = new(503, "5.5.1", "Bad sequence of commands: already authenticated");
    private static readonly SmtpReply s_authInTransaction = new(503, "5.5.1", "Bad sequence of commands: AUTH is not permitted during a mail transaction");
    private static readonly SmtpReply s_authNeedsEhlo = new(503, "5.5.1", "Bad sequence of commands: send EHLO first");
    private static readonly SmtpReply s_authNeedsTls = new(538, "5.7.11", "Encryption required for requested authentication mechanism");
    private static readonly SmtpReply s_unknownMechanism = new(504, "5.5.4", "Unrecognized authentication type");
    private static readonly SmtpReply s_authCancelled = new(501, "5.7.0", "Authentication cancelled");
    private static readonly SmtpReply s_authTemporary = new(454, "4.7.0", "Temporary authentication failure");
    private static readonly SmtpReply s_tooManyAuthFailures = new(421, "4.7.0", "Too many authentication failures, closing connection");

    private IServerSaslMechanism? _authMechanism;
    private byte[]? _authBuffer;
    private int _authInitialLength = -1;
    private int _authFailures;

    /// <summary>Whether AUTH may be advertised and used now: configured, and under TLS unless the host allows otherwise.</summary>
    private bool AuthOffered => _options.Authentication is { } auth && (_context.IsSecure || auth.AllowWithoutTls);

    /// <summary>
    /// The command line limit: AUTH with an initial response may be as long as a continuation line (RFC 4954 §4), so
    /// with AUTH configured the framer admits 12,288 octets and <see cref="CheckLineLength"/> holds other commands to
    /// <see cref="SmtpServerOptions.MaxLineLength"/>.
    /// </summary>
    private static int CommandLineLimit(SmtpServerOptions options)
        => options.Authentication is null ? options.MaxLineLength : Math.Max(options.MaxLineLength, SmtpLineFramer.AuthMaxLineLength);

    /// <summary>Whether a framed line is within the command limit, or is an AUTH command within the AUTH limit.</summary>
    private bool CheckLineLength(in ReadOnlySequence<byte> line)
    {
        if (line.Length + 2 <= _options.MaxLineLength)
        {
            return true;
        }

        Span<byte> verb = stackalloc byte[5];
        line.Slice(0, 5).CopyTo(verb);
        return System.Text.Ascii.EqualsIgnoreCase(verb, "AUTH "u8);
    }

    /// <summary>The EHLO keywords of TLS and AUTH for the session's current state.</summary>
    private IEnumerable<string> SecurityKeywords()
    {
        if (TlsOffered)
        {
            yield return "STARTTLS";
        }

        if (AuthOffered && _options.Authentication is { } auth)
        {
            List<string> names = [.. auth.Mechanisms.GetAdvertisedNames(isSecure: true).Where(n => IsUsable(auth, n))];
            if (names.Count > 0)
            {
                // RFC 4954 §3: AUTH followed by the space-separated mechanism names.
                yield return "AUTH " + string.Join(' ', names);
            }
        }
    }

    /// <summary>SCRAM needs the stored credentials: without an <see cref="IScramCredentialStore"/> it cannot run.</summary>
    private static bool IsUsable(SmtpAuthenticationOptions auth, string mechanism)
        => auth.Authenticator is IScramCredentialStore || !string.Equals(mechanism, Scram.MechanismName, StringComparison.OrdinalIgnoreCase);

    /// <summary>AUTH: every check that needs no I/O; the exchange itself runs in <see cref="AuthenticateAsync"/>.</summary>
    private Step Auth(in SmtpCommand command)
    {
        if (_options.Authentication is not { } auth)
        {
            // Not advertised (RFC 4954 §4): no authenticator configured.
            Reply(s_noAuth);
            return new Step(StepKind.None, SmtpVerb.Auth);
        }

        if (_context.ClientName is null || !_context.IsExtended)
        {
            return Error(_options.Lmtp ? HelloFirst : s_authNeedsEhlo);
        }

        if (_context.AuthenticatedIdentity is not null)
        {
            // RFC 4954 §4: after a successful AUTH, no more AUTH commands may be issued in the session.
            return Error(s_alreadyAuthenticated);
        }

        if (_envelope is not null)
        {
            // RFC 4954 §4: the AUTH command is not permitted during a mail transaction.
            return Error(s_authInTransaction);
        }

        if (!AuthOffered)
        {
            return Error(s_authNeedsTls);
        }

        if (!auth.Mechanisms.TryGet(command.AuthMechanism, isSecure: true, out IServerSaslMechanism? mechanism)
            || !IsUsable(auth, mechanism.Name))
        {
            return Error(s_unknownMechanism);
        }

        _authMechanism = mechanism;
        _authBuffer = ArrayPool<byte>.Shared.Rent(AuthDecodedMax);
        _authInitialLength = -1;
        if (command.HasInitialResponse)
        {
            // The parser checked the base64 already; "=" is an empty initial response (RFC 4954 §4).
            SmtpReason reason = SmtpAuthResponseParser.DecodeInitialResponse(command.InitialResponse, _authBuffer, out int written);
            if (reason != SmtpReason.None)
            {
                ReleaseAuthBuffer();
                return Error(SmtpReasons.ToReply(reason));
            }

            _authInitialLength = written;
        }

        return new Step(StepKind.Auth, SmtpVerb.Auth);
    }

    /// <summary>Runs the SASL exchange set up by <see cref="Auth"/> to its end.</summary>
    private async ValueTask<Outcome> AuthenticateAsync()
    {
        SmtpAuthenticationOptions auth = _options.Authentication!;
        IServerSaslMechanism mechanism = _authMechanism!;
        byte[] buffer = _authBuffer!;
        ISaslServerExchange exchange = mechanism.CreateExchange(_options.ServerName);
        try
        {
            SaslStep step = _authInitialLength < 0 ? exchange.Start() : exchange.Respond(buffer.AsSpan(0, _authInitialLength));
            SmtpReply? refusal = null;
            while (true)
            {
                switch (step.Kind)
                {
                    case SaslStepKind.Challenge:
                        {
                            WriteChallenge(step.Challenge.Span);
                            (AuthLineKind kind, int length) = await ReadAuthLineAsync(buffer).ConfigureAwait(false);
                            switch (kind)
                            {
                                case AuthLineKind.Closed:
                                    return Outcome.Close;
                                case AuthLineKind.Cancelled:
                                    // RFC 4954 §4: "*" cancels the exchange; 501.
                                    Reply(s_authCancelled);
                                    return Outcome.Continue;
                                case AuthLineKind.TooLong:
                                    Reply(SmtpReasons.ToReply(SmtpReason.AuthLineTooLong));
                                    return Outcome.Continue;
                                case AuthLineKind.InvalidBase64:
                                    // RFC 4954 §4: undecodable base64 is answered 501 5.5.2.
                                    return await FailAsync(mechanism, SmtpReasons.ToReply(SmtpReason.InvalidBase64), delay: false).ConfigureAwait(false);
                            }

                            step = exchange.Respond(buffer.AsSpan(0, length));
                            break;
                        }

                    case SaslStepKind.NeedCredentials:
                        {
                            ScramCredentials? stored;
                            try
                            {
                                stored = auth.Authenticator is IScramCredentialStore store
                                    ? await store.FindScramCredentialsAsync(_context, step.UserName!, _aborted.Token).ConfigureAwait(false)
                                    : null;
                            }
                            catch (Exception ex) when (!IsInterrupted(InterruptAbort))
                            {
                                SmtpServerLog.HandlerFailed(_logger, _context.SessionId, ex);
                                Reply(s_authTemporary);
                                return Outcome.Continue;
                            }

                            step = exchange.SupplyCredentials(stored);
                            break;
                        }

                    case SaslStepKind.Completed:
                        {
                            SmtpAuthenticationResult result;
                            try
                            {
                                result = await auth.Authenticator.AuthenticateAsync(_context, step.Credentials!, _aborted.Token).ConfigureAwait(false);
                            }
                            catch (Exception ex) when (!IsInterrupted(InterruptAbort))
                            {
                                SmtpServerLog.HandlerFailed(_logger, _context.SessionId, ex);
                                result = SmtpAuthenticationResult.TemporaryFailure();
                            }

                            if (result.IsAuthenticated)
                            {
                                _context.AuthenticatedIdentity = result.Identity;
                                SmtpServerLog.Authenticated(_logger, _context.SessionId, result.Identity!, mechanism.Name);
                                _activity?.SetTag("smtp.auth.mechanism", mechanism.Name);
                                Reply(s_authenticated);
                                return Outcome.Continue;
                            }

                            SmtpReply reply = result.Reply!.Value;
                            if (reply.IsTransientFailure)
                            {
                                // A temporary failure says nothing about the password: no delay, not counted.
                                Reply(reply);
                                return Outcome.Continue;
                            }

                            // OAuth mechanisms send an error challenge first (RFC 7628 §3.2.2), then fail.
                            refusal = reply;
                            step = exchange.Reject();
                            break;
                        }

                    default:
                        {
                            bool wrongCredentials = step.FailureReason is SaslFailureReason.AuthenticationFailed or SaslFailureReason.ChannelBindingNotSupported;
                            SmtpReply reply = wrongCredentials && refusal is { } chosen ? chosen : step.FailureReply;
                            return await FailAsync(mechanism, reply, delay: wrongCredentials).ConfigureAwait(false);
                        }
                }
            }
        }
        finally
        {
            (exchange as IDisposable)?.Dispose();
            ReleaseAuthBuffer();
        }
    }

    /// <summary>
    /// Answers a failed attempt: after a pause growing with the number of failures (password guessing gets slow), or
    /// with <c>421 4.7.0</c> and the end of the session once the limit is reached.
    /// </summary>
    private async ValueTask<Outcome> FailAsync(IServerSaslMechanism mechanism, SmtpReply reply, bool delay)
    {
        SmtpAuthenticationOptions auth = _options.Authentication!;
        _authFailures++;
        SmtpServerLog.AuthenticationFailed(_logger, _context.SessionId, mechanism.Name, _authFailures, reply.ToString());
        if (_authFailures >= auth.MaxFailures)
        {
            Reply(s_tooManyAuthFailures);
            SmtpServerLog.Closing(_logger, _context.SessionId, "too many authentication failures");
            return Outcome.Close;
        }

        if (delay && auth.FailureDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(auth.FailureDelay * _authFailures, _options.TimeProvider, _aborted.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return Outcome.Close;
            }
        }

        Reply(reply);
        return Outcome.Continue;
    }

    /// <summary>Writes <c>334 base64</c> (RFC 4954 §4); an empty challenge is <c>334 </c> with nothing after the space.</summary>
    private void WriteChallenge(ReadOnlySpan<byte> challenge)
    {
        int length = Base64.GetMaxEncodedToUtf8Length(challenge.Length);
        Span<byte> span = Output.GetSpan(length + 6);
        "334 "u8.CopyTo(span);
        Base64.EncodeToUtf8(challenge, span[4..], out _, out int written);
        "\r\n"u8.CopyTo(span[(4 + written)..]);
        Output.Advance(4 + written + 2);
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            SmtpServerLog.ServerReply(_logger, _context.SessionId, "334 ***");
        }
    }

    /// <summary>Reads one continuation line with the AUTH line limit and decodes it into <paramref name="destination"/>.</summary>
    private async ValueTask<(AuthLineKind Kind, int Length)> ReadAuthLineAsync(byte[] destination)
    {
        int commandLimit = _framer.MaxLineLength;
        _framer.MaxLineLength = SmtpLineFramer.AuthMaxLineLength;
        try
        {
            while (true)
            {
                ReadResult result = await ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    if (OnInterrupted(inTransfer: false) == Outcome.Close)
                    {
                        return (AuthLineKind.Closed, 0);
                    }

                    continue;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                var reader = new SequenceReader<byte>(buffer);
                SmtpLineStatus status = _framer.TryReadLine(ref reader, out ReadOnlySequence<byte> line);
                if (status == SmtpLineStatus.NeedMoreData)
                {
                    Input.AdvanceTo(reader.Position, buffer.End);
                    if (result.IsCompleted)
                    {
                        return (AuthLineKind.Closed, 0);
                    }

                    continue;
                }

                EndCommandLine();
                try
                {
                    if (status != SmtpLineStatus.Line)
                    {
                        LogAuthLine("<malformed>");
                        return (status == SmtpLineStatus.LineTooLong ? AuthLineKind.TooLong : AuthLineKind.InvalidBase64, 0);
                    }

                    SmtpReason reason = SmtpAuthResponseParser.Parse(line, _scratch, destination, out int written, out bool cancelled);
                    LogAuthLine(cancelled ? "*" : "***");
                    return reason switch
                    {
                        SmtpReason.None => (cancelled ? AuthLineKind.Cancelled : AuthLineKind.Response, written),
                        SmtpReason.AuthLineTooLong => (AuthLineKind.TooLong, 0),
                        _ => (AuthLineKind.InvalidBase64, 0),
                    };
                }
                finally
                {
                    Input.AdvanceTo(reader.Position);
                }
            }
        }
        finally
        {
            _framer.MaxLineLength = commandLimit;
        }
    }

    /// <summary>Whether an unrecognised command line is a base64 token, which may be a SASL response holding a secret.</summary>
    private static bool LooksLikeSaslResponse(in ReadOnlySequence<byte> line)
        => line.Length is >= 4 and <= SmtpLineFramer.AuthMaxLineLength
            && (line.IsSingleSegment ? SmtpAuthResponseParser.IsStrictBase64(line.FirstSpan) : SmtpAuthResponseParser.IsStrictBase64(line.ToArray()));

    private void LogAuthLine(string redacted)
    {
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            // Never log SASL data (RFC 4954 §14: it may carry passwords).
            SmtpServerLog.ClientLine(_logger, _context.SessionId, redacted);
        }
    }

    private void ReleaseAuthBuffer()
    {
        if (_authBuffer is { } buffer)
        {
            _authBuffer = null;
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }

        _authMechanism = null;
        _authInitialLength = -1;
    }

    /// <summary>
    /// MAIL's AUTH= parameter (RFC 4954 §5): kept as the message's authorisation identity only when the session is
    /// authenticated (this server trusts its own authenticated clients); otherwise recorded as <c>&lt;&gt;</c>, and
    /// never a reason to refuse MAIL.
    /// </summary>
    private string? MailAuthParameter(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return null;
        }

        return _context.AuthenticatedIdentity is not null && Xtext.TryDecodeToString(value, out string? decoded) && decoded is { Length: > 0 }
            ? decoded
            : "<>";
    }

    private enum AuthLineKind
    {
        Response,
        Cancelled,
        InvalidBase64,
        TooLong,
        Closed,
    }
}
