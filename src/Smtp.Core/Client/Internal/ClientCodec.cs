using System.Buffers;
using System.IO.Pipelines;
using Smtp.Core.Protocol;

namespace Smtp.Core.Client.Internal;

/// <summary>
/// The client's one door to the protocol layer: commands go out through <see cref="SmtpCommandWriter"/>, replies come
/// in through <see cref="SmtpReplyParser"/>, data through <see cref="SmtpDataEncoder"/>. Nothing here parses or
/// formats SMTP itself.
/// </summary>
internal static class ClientCodec
{
    public static void WriteSimple(IBufferWriter<byte> output, ClientCommands command, string? argument)
    {
        switch (command)
        {
            case ClientCommands.Ehlo: SmtpCommandWriter.WriteEhlo(output, argument!); break;
            case ClientCommands.Helo: SmtpCommandWriter.WriteHelo(output, argument!); break;
            case ClientCommands.Lhlo: SmtpCommandWriter.WriteLhlo(output, argument!); break;
            case ClientCommands.StartTls: SmtpCommandWriter.WriteStartTls(output); break;
            case ClientCommands.Data: SmtpCommandWriter.WriteData(output); break;
            case ClientCommands.Rset: SmtpCommandWriter.WriteRset(output); break;
            case ClientCommands.Noop: SmtpCommandWriter.WriteNoop(output); break;
            case ClientCommands.Quit: SmtpCommandWriter.WriteQuit(output); break;
            default: throw new ArgumentOutOfRangeException(nameof(command));
        }
    }

    /// <summary>MAIL FROM with the parameters the server advertised support for.</summary>
    public static void WriteMail(IBufferWriter<byte> output, string sender, in MailParameters mail)
    {
        Span<KeyValuePair<string, string?>> parameters = new KeyValuePair<string, string?>[5];
        int n = 0;
        if (mail.Size is long size)
        {
            parameters[n++] = new("SIZE", size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (BodyValue(mail.Body) is string body)
        {
            parameters[n++] = new("BODY", body);
        }

        if (mail.SmtpUtf8)
        {
            parameters[n++] = new("SMTPUTF8", null);
        }

        if (ReturnValue(mail.Return) is string ret)
        {
            parameters[n++] = new("RET", ret);
        }

        if (mail.EnvelopeId is not null)
        {
            parameters[n++] = new("ENVID", mail.EnvelopeId);
        }

        SmtpCommandWriter.WriteMailFrom(output, sender, parameters[..n]);
    }

    /// <summary>RCPT TO, with NOTIFY and ORCPT (RFC 3461 §4.1, §4.2) when the server offers DSN.</summary>
    public static void WriteRcpt(IBufferWriter<byte> output, SmtpSendRecipient recipient, bool dsn)
    {
        if (!dsn || (recipient.Notify == SmtpDsnNotify.None && recipient.OriginalRecipient is null))
        {
            SmtpCommandWriter.WriteRcptTo(output, recipient.Address);
            return;
        }

        Span<KeyValuePair<string, string?>> parameters = new KeyValuePair<string, string?>[2];
        int n = 0;
        if (recipient.Notify != SmtpDsnNotify.None)
        {
            parameters[n++] = new("NOTIFY", NotifyValue(recipient.Notify));
        }

        if (recipient.OriginalRecipient is not null)
        {
            // RFC 3461 §4.2: ORCPT=addr-type ";" xtext; the writer encodes the xtext.
            parameters[n++] = new("ORCPT", recipient.OriginalRecipientParameter);
        }

        SmtpCommandWriter.WriteRcptTo(output, recipient.Address, parameters[..n]);
    }

    /// <summary>The BODY value (RFC 6152 §2, RFC 3030 §3), or <see langword="null"/> for no parameter.</summary>
    public static string? BodyValue(SmtpBodyType body) => body switch
    {
        SmtpBodyType.SevenBit => "7BIT",
        SmtpBodyType.EightBitMime => "8BITMIME",
        SmtpBodyType.BinaryMime => "BINARYMIME",
        _ => null,
    };

    /// <summary>The RET value (RFC 3461 §4.3), or <see langword="null"/> for no parameter.</summary>
    public static string? ReturnValue(SmtpDsnReturn ret) => ret switch
    {
        SmtpDsnReturn.Full => "FULL",
        SmtpDsnReturn.Headers => "HDRS",
        _ => null,
    };

    private static string NotifyValue(SmtpDsnNotify notify)
    {
        if (notify == SmtpDsnNotify.Never)
        {
            return "NEVER";
        }

        var parts = new List<string>(3);
        if ((notify & SmtpDsnNotify.Success) != 0)
        {
            parts.Add("SUCCESS");
        }

        if ((notify & SmtpDsnNotify.Failure) != 0)
        {
            parts.Add("FAILURE");
        }

        if ((notify & SmtpDsnNotify.Delay) != 0)
        {
            parts.Add("DELAY");
        }

        return string.Join(',', parts);
    }

    public static void WriteBdat(IBufferWriter<byte> output, long size, bool last) => SmtpCommandWriter.WriteBdat(output, size, last);

    /// <summary>The content, dot-stuffed and terminated with CRLF.CRLF (RFC 5321 §4.5.2), streamed from the source.</summary>
    public static ValueTask WriteDataContentAsync(PipeReader source, PipeWriter output, CancellationToken cancellationToken)
        => SmtpDataEncoder.WriteDataAsync(source, output, cancellationToken);

    /// <summary>Parses one reply at the start of <paramref name="buffer"/>; on success, slices the buffer past it.</summary>
    public static ReplyStatus TryReadReply(SmtpReplyParser parser, ref ReadOnlySequence<byte> buffer, out SmtpReply reply, out string? error)
    {
        var status = parser.TryParse(buffer, out var view, out var consumed);
        switch (status)
        {
            case SmtpReplyParseStatus.Success:
                reply = view.ToReply();
                buffer = buffer.Slice(consumed);
                error = null;
                return ReplyStatus.Complete;
            case SmtpReplyParseStatus.NeedMoreData:
                reply = default;
                error = null;
                return ReplyStatus.NeedMore;
            default:
                reply = default;
                error = status switch
                {
                    SmtpReplyParseStatus.LineTooLong => $"a line is longer than {parser.MaxLineLength} bytes",
                    SmtpReplyParseStatus.TooManyLines => $"more than {parser.MaxLines} lines",
                    SmtpReplyParseStatus.TooLarge => $"larger than {parser.MaxReplySize} bytes",
                    _ => "not NNN-text/NNN text lines ending in CRLF with one code",
                };
                return ReplyStatus.Malformed;
        }
    }
}
