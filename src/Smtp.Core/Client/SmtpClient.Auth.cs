using System.Buffers;
using System.Buffers.Text;
using Microsoft.Extensions.Logging;
using Smtp.Core.Auth;
using Smtp.Core.Protocol;

namespace Smtp.Core.Client;

public sealed partial class SmtpClient
{
    // While true the transcript shows 334 challenges and every client line of the exchange as <redacted>.
    private bool _redact;

    /// <summary>
    /// RFC 4954: AUTH with the chosen (or strongest offered) mechanism, driven by the <c>Smtp.Core.Auth</c> client
    /// exchange; base64 on both sides, <c>*</c> to cancel when the exchange fails.
    /// </summary>
    private async Task AuthenticateAsync(Operation op)
    {
        var credentials = _options.Credentials!;
        bool cleartextAllowed = IsSecure || _options.AllowAuthWithoutTls;
        string? mechanism = _options.AuthMechanism?.ToUpperInvariant();
        if (mechanism is null)
        {
            mechanism = SaslClient.SelectMechanism(Capabilities.AuthMechanisms, credentials, cleartextAllowed);
            if (mechanism is null)
            {
                await TryQuitAsync(op).ConfigureAwait(false);
                throw new SmtpSecurityException(Capabilities.AuthMechanisms.Count == 0
                    ? "Credentials are set but the server does not offer AUTH."
                    : $"None of the offered SASL mechanisms ({string.Join(' ', Capabilities.AuthMechanisms)}) can be used"
                      + (cleartextAllowed ? " with these credentials." : " without TLS (the password would cross the network in the clear)."));
            }
        }
        else
        {
            if (!Capabilities.AuthMechanisms.Contains(mechanism, StringComparer.OrdinalIgnoreCase))
            {
                await TryQuitAsync(op).ConfigureAwait(false);
                throw new SmtpSecurityException($"The server does not offer the requested SASL mechanism {mechanism}.");
            }

            // The caller's choice is honoured, but never sends a reusable secret over plain text unless allowed.
            if (!cleartextAllowed && SaslClient.SelectMechanism([mechanism], credentials, allowCleartext: false) is null
                && SaslClient.SelectMechanism([mechanism], credentials, allowCleartext: true) is not null)
            {
                await TryQuitAsync(op).ConfigureAwait(false);
                throw new SmtpSecurityException($"Refusing {mechanism} without TLS: the secret would cross the network in the clear.");
            }
        }

        if (!SaslClient.TryCreate(mechanism, credentials, out var exchange))
        {
            await TryQuitAsync(op).ConfigureAwait(false);
            throw new SmtpSecurityException($"The SASL mechanism {mechanism} is not supported by this client for these credentials.");
        }

        using (exchange)
        {
            _redact = true;
            try
            {
                await RunExchangeAsync(op, mechanism, exchange).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SmtpCommandException or SmtpSecurityException)
            {
                // The exchange ended on a complete reply, so the channel is in step: say goodbye before the
                // caller's dispose closes it (RFC 5321 §4.1.1.10).
                _redact = false;
                await TryQuitAsync(op).ConfigureAwait(false);
                throw;
            }
            finally
            {
                _redact = false;
            }
        }

        AuthenticationMechanism = mechanism;
        _logger.LogDebug("Authenticated with {Mechanism}.", mechanism);
    }

    private async Task RunExchangeAsync(Operation op, string mechanism, ISaslClientExchange exchange)
    {
        var step = exchange.Start();
        var output = _transport.Output;
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            _logger.LogTrace("C: AUTH {Mechanism}{Redacted}", mechanism, step.Kind == SaslClientStepKind.Response ? " <redacted>" : string.Empty);
        }

        switch (step.Kind)
        {
            case SaslClientStepKind.Response:
                SmtpCommandWriter.WriteAuth(output, mechanism, step.Response.Span);
                break;
            case SaslClientStepKind.NoResponse:
                SmtpCommandWriter.WriteAuth(output, mechanism);
                break;
            default:
                throw new SmtpSecurityException($"The {mechanism} exchange could not start: {step.FailureReason}.");
        }

        await FlushAsync(op, _options.CommandTimeout).ConfigureAwait(false);
        while (true)
        {
            var reply = await ReadReplyAsync(op, _options.CommandTimeout).ConfigureAwait(false);
            ThrowIfClosing(reply);
            if (reply.Code == 235)
            {
                // A mechanism that authenticates the server too (SCRAM) must have checked its proof by now.
                if (!exchange.IsComplete)
                {
                    throw new SmtpSecurityException($"The server accepted {mechanism} without proving it knows the credentials.");
                }

                return;
            }

            if (reply.Code != 334)
            {
                throw new SmtpCommandException("AUTH", reply);
            }

            step = DecodeChallenge(reply, out byte[]? challenge, out int length) is { } failure
                ? failure
                : Respond(exchange, challenge!, length);
            if (step.Kind == SaslClientStepKind.Failed)
            {
                // RFC 4954 §4: "*" cancels; the server answers 501, after which the client reports the failure.
                _logger.LogTrace("C: *");
                SmtpCommandWriter.WriteAuthCancel(output);
                await FlushAsync(op, _options.CommandTimeout).ConfigureAwait(false);
                var cancelled = await ReadReplyAsync(op, _options.CommandTimeout).ConfigureAwait(false);
                ThrowIfClosing(cancelled);
                throw new SmtpSecurityException(
                    $"The {mechanism} exchange failed on the client's side ({step.FailureReason}{(step.ServerError is null ? string.Empty : ": " + step.ServerError)}); the server answered {cancelled}.");
            }

            _logger.LogTrace("C: <redacted>");
            SmtpCommandWriter.WriteAuthResponse(output, step.Kind == SaslClientStepKind.Response ? step.Response.Span : default);
            await FlushAsync(op, _options.CommandTimeout).ConfigureAwait(false);
        }
    }

    private static SaslClientStep? DecodeChallenge(SmtpReply reply, out byte[]? challenge, out int length)
    {
        string text = reply.Text.Trim();
        challenge = ArrayPool<byte>.Shared.Rent(Math.Max(1, Base64.GetMaxDecodedFromUtf8Length(text.Length)));
        if (Convert.TryFromBase64String(text, challenge, out length))
        {
            return null;
        }

        ArrayPool<byte>.Shared.Return(challenge, clearArray: true);
        challenge = null;
        return SaslClientStep.ForFailure(SaslClientFailureReason.MalformedChallenge);
    }

    private static SaslClientStep Respond(ISaslClientExchange exchange, byte[] challenge, int length)
    {
        try
        {
            return exchange.Respond(challenge.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(challenge, clearArray: true);
        }
    }
}
