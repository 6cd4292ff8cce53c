using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Smtp.Core.Client.Internal;
using Smtp.Core.Protocol;

namespace Smtp.Core.Client;

public sealed partial class SmtpClient
{
    /// <summary>
    /// Sends one message: MAIL and every RCPT (pipelined when the server offers PIPELINING, every reply checked in
    /// order), then the content with BDAT chunks when the server offers CHUNKING, else DATA with dot-stuffing.
    /// </summary>
    /// <param name="envelope">The sender, recipients and MAIL parameters.</param>
    /// <param name="content">The message; streamed, never held whole by the client.</param>
    /// <param name="cancellationToken">Cancels the send; the connection is closed when it fires mid-transaction.</param>
    /// <returns>
    /// Every recipient's reply. A refused recipient does not stop the others; when every recipient is refused no data
    /// is sent and the transaction is reset. Once MAIL is accepted, every outcome (refused data included) is reported
    /// here rather than thrown, and the connection is left ready for the next message.
    /// </returns>
    /// <exception cref="SmtpCapabilityException">The message needs an extension the server lacks, or exceeds its SIZE.</exception>
    /// <exception cref="SmtpCommandException">The server refused MAIL FROM; the connection is still usable.</exception>
    /// <exception cref="SmtpProtocolException">
    /// The conversation broke (including a 421, a timeout, or a connection closed before the reply to the data, which
    /// is never taken as success); reconnect.
    /// </exception>
    public async Task<SmtpSendResult> SendAsync(SmtpSendEnvelope envelope, SmtpMessageContent content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(content);
        using var op = Begin(cancellationToken);
        try
        {
            bool chunking = CheckCapabilities(envelope, content);
            return await SendCoreAsync(op, envelope, content, chunking).ConfigureAwait(false);
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

    /// <summary>Refuses, before anything is written, what the server did not advertise. Returns whether to use BDAT.</summary>
    private bool CheckCapabilities(SmtpSendEnvelope envelope, SmtpMessageContent content)
    {
        if (!content.CanOpen)
        {
            // Checked before MAIL so that no transaction is left open on the server.
            throw new InvalidOperationException("This message content was made from a stream or pipe and has already been sent.");
        }

        var caps = Capabilities;
        if (envelope.NeedsSmtpUtf8 && !caps.SmtpUtf8)
        {
            throw new SmtpCapabilityException("SMTPUTF8",
                "The envelope needs SMTPUTF8 (RFC 6531) for a non-ASCII address or by request, but the server does not offer it.");
        }

        if (envelope.BodyType == SmtpBodyType.EightBitMime && !caps.EightBitMime)
        {
            throw new SmtpCapabilityException("8BITMIME", "The message is declared BODY=8BITMIME, but the server does not offer 8BITMIME (RFC 6152).");
        }

        if (envelope.BodyType == SmtpBodyType.BinaryMime && !(caps.BinaryMime && caps.Chunking && _options.UseChunking))
        {
            throw new SmtpCapabilityException(caps.BinaryMime ? "CHUNKING" : "BINARYMIME",
                "The message is declared BODY=BINARYMIME, which needs both BINARYMIME and CHUNKING (RFC 3030 §3), and the server does not offer them (or chunking is turned off).");
        }

        // RFC 1870 §6: a client that knows the message is larger than the server's maximum must not send it.
        if (caps.MaxSize is long max && content.Length is long length && length > max)
        {
            throw new SmtpCapabilityException("SIZE", $"The message is {length} bytes, larger than the {max} bytes the server accepts (RFC 1870).");
        }

        return caps.Chunking && _options.UseChunking;
    }

    private async Task<SmtpSendResult> SendCoreAsync(Operation op, SmtpSendEnvelope envelope, SmtpMessageContent content, bool chunking)
    {
        var caps = Capabilities;
        var recipients = envelope.Recipients;
        var mail = new MailParameters(
            caps.Size ? content.Length : null,
            // RFC 6152 §2: BODY belongs to 8BITMIME; without it BODY=7BIT is left out, as 7-bit is the default meaning.
            envelope.BodyType == SmtpBodyType.SevenBit && !caps.EightBitMime ? SmtpBodyType.None : envelope.BodyType,
            envelope.NeedsSmtpUtf8,
            caps.Dsn ? envelope.Return : SmtpDsnReturn.None,
            caps.Dsn ? envelope.EnvelopeId : null);

        // RFC 2920 §3.1: MAIL and every RCPT go in one batch; the replies come back in the same order.
        bool pipelining = caps.Pipelining && _options.UsePipelining;
        ThrowIfUnsolicited();
        WriteMail(envelope.Sender, mail);
        SmtpReply mailReply;
        var results = new SmtpRecipientResult[recipients.Count];
        if (pipelining)
        {
            foreach (var r in recipients)
            {
                WriteRcpt(r, caps.Dsn);
            }

            await FlushAsync(op, _options.CommandTimeout).ConfigureAwait(false);
            mailReply = await ReadReplyAsync(op, _options.CommandTimeout).ConfigureAwait(false);
            ThrowIfClosing(mailReply);
            for (int i = 0; i < results.Length; i++)
            {
                var reply = await ReadReplyAsync(op, _options.CommandTimeout).ConfigureAwait(false);
                ThrowIfClosing(reply);
                results[i] = new SmtpRecipientResult(recipients[i], reply);
            }

            if (!mailReply.IsPositiveCompletion)
            {
                // Every pipelined RCPT was answered (with 503 by a conforming server) and there is no transaction.
                throw new SmtpCommandException("MAIL", mailReply);
            }
        }
        else
        {
            await FlushAsync(op, _options.CommandTimeout).ConfigureAwait(false);
            mailReply = await ReadReplyAsync(op, _options.CommandTimeout).ConfigureAwait(false);
            ThrowIfClosing(mailReply);
            if (!mailReply.IsPositiveCompletion)
            {
                throw new SmtpCommandException("MAIL", mailReply);
            }

            for (int i = 0; i < results.Length; i++)
            {
                WriteRcpt(recipients[i], caps.Dsn);
                await FlushAsync(op, _options.CommandTimeout).ConfigureAwait(false);
                var reply = await ReadReplyAsync(op, _options.CommandTimeout).ConfigureAwait(false);
                ThrowIfClosing(reply);
                results[i] = new SmtpRecipientResult(recipients[i], reply);
            }
        }

        int accepted = results.Count(r => r.RcptReply.IsPositiveCompletion);
        if (accepted == 0)
        {
            // Nobody to deliver to: no DATA, and the open transaction is reset (RFC 5321 §3.3).
            await ResetCoreAsync(op).ConfigureAwait(false);
            return new SmtpSendResult(mailReply, results, null);
        }

        await using var lease = content.Open();
        SmtpReply dataReply = chunking
            ? await SendChunksAsync(op, lease.Reader, results, accepted).ConfigureAwait(false)
            : await SendDataAsync(op, lease.Reader, results, accepted).ConfigureAwait(false);
        return new SmtpSendResult(mailReply, results, dataReply);
    }

    private void WriteMail(string sender, in MailParameters mail)
    {
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            _logger.LogTrace("C: MAIL FROM:<{Sender}>{Parameters}", sender, mail.Describe());
        }

        ClientCodec.WriteMail(_transport.Output, sender, mail);
    }

    private void WriteRcpt(SmtpSendRecipient recipient, bool dsn)
    {
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            _logger.LogTrace("C: RCPT TO:<{Recipient}>{Dsn}", recipient.Address,
                dsn && (recipient.Notify != SmtpDsnNotify.None || recipient.OriginalRecipient is not null) ? " (DSN parameters)" : string.Empty);
        }

        ClientCodec.WriteRcpt(_transport.Output, recipient, dsn);
    }

    /// <summary>DATA, 354, the dot-stuffed content and the terminating dot; then the reply or replies.</summary>
    private async Task<SmtpReply> SendDataAsync(Operation op, PipeReader source, SmtpRecipientResult[] results, int accepted)
    {
        var go = await CommandAsync(op, ClientCommands.Data, null, "DATA").ConfigureAwait(false);
        ThrowIfClosing(go);
        if (go.Code != 354)
        {
            // The transaction may still be open on the server's side: reset it, and report the refusal per recipient.
            if (go.IsTransientFailure || go.IsPermanentFailure)
            {
                await ResetCoreAsync(op).ConfigureAwait(false);
                return Settle(results, go);
            }

            throw new SmtpProtocolException("The server answered DATA with an unexpected reply", go);
        }

        _logger.LogTrace("C: <message content, dot-stuffed>");
        op.Arm(_options.DataTimeout);
        await ClientCodec.WriteDataContentAsync(source, _transport.Output, op.Token).ConfigureAwait(false);
        await FlushAsync(op, _options.DataTimeout).ConfigureAwait(false);
        return await ReadDeliveryAsync(op, results, accepted).ConfigureAwait(false);
    }

    /// <summary>
    /// RFC 3030 §2: the content in BDAT chunks, each read from the source and written once, the last marked LAST.
    /// </summary>
    private async Task<SmtpReply> SendChunksAsync(Operation op, PipeReader source, SmtpRecipientResult[] results, int accepted)
    {
        int chunkSize = _options.ChunkSize;
        var output = _transport.Output;
        while (true)
        {
            op.Arm(_options.DataTimeout);
            var read = await source.ReadAsync(op.Token).ConfigureAwait(false);
            var buffer = read.Buffer;
            if (buffer.Length < chunkSize && !read.IsCompleted)
            {
                // Wait until a whole chunk is buffered, so chunks are full-sized (the source's buffer may be smaller).
                source.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            long size = Math.Min(chunkSize, buffer.Length);
            bool last = read.IsCompleted && size == buffer.Length;
            var chunk = buffer.Slice(0, size);
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                _logger.LogTrace("C: BDAT {Size}{Last} <{Size} bytes>", size, last ? " LAST" : string.Empty, size);
            }

            ClientCodec.WriteBdat(output, size, last);
            foreach (var segment in chunk)
            {
                output.Write(segment.Span);
            }

            source.AdvanceTo(chunk.End);
            await FlushAsync(op, _options.DataTimeout).ConfigureAwait(false);
            if (last)
            {
                return await ReadDeliveryAsync(op, results, accepted).ConfigureAwait(false);
            }

            var reply = await ReadReplyAsync(op, _options.CommandTimeout).ConfigureAwait(false);
            ThrowIfClosing(reply);
            if (!reply.IsPositiveCompletion)
            {
                // RFC 3030 §2: after a refused chunk the transaction is void; reset it before the next message.
                await ResetCoreAsync(op).ConfigureAwait(false);
                return Settle(results, reply);
            }
        }
    }

    /// <summary>
    /// The replies to the end of the data: one for SMTP, one per accepted recipient in RCPT order for LMTP
    /// (RFC 2033 §4.2). A connection closed before them is a protocol failure, never a success.
    /// </summary>
    private async Task<SmtpReply> ReadDeliveryAsync(Operation op, SmtpRecipientResult[] results, int accepted)
    {
        if (!_options.UseLmtp)
        {
            var reply = await ReadReplyAsync(op, _options.DataTimeout).ConfigureAwait(false);
            ThrowIfClosing(reply);
            return Settle(results, reply);
        }

        SmtpReply lastReply = default;
        for (int i = 0, seen = 0; i < results.Length && seen < accepted; i++)
        {
            if (!results[i].RcptReply.IsPositiveCompletion)
            {
                continue;
            }

            lastReply = await ReadReplyAsync(op, _options.DataTimeout).ConfigureAwait(false);
            ThrowIfClosing(lastReply);
            results[i].DeliveryReply = lastReply;
            seen++;
        }

        return lastReply;
    }

    private static SmtpReply Settle(SmtpRecipientResult[] results, SmtpReply reply)
    {
        foreach (var r in results)
        {
            if (r.RcptReply.IsPositiveCompletion)
            {
                r.DeliveryReply = reply;
            }
        }

        return reply;
    }
}
