using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Smtp.Core.Protocol;

/// <summary>
/// Parses one SMTP/ESMTP/LMTP command line (without its CRLF) into an <see cref="SmtpCommand"/>.
/// </summary>
/// <remarks>
/// Synchronous, allocation-free, never throws on malformed input: every refusal is an
/// <see cref="SmtpReason"/>, answered with <see cref="SmtpReasons.ToReply"/>. Verbs and keywords are matched
/// case-insensitively as bytes. Deliberate leniencies (Postel): one or more spaces are accepted between
/// <c>FROM:</c>/<c>TO:</c> and the path and between parameters, and trailing spaces are ignored.
/// </remarks>
public static partial class SmtpCommandParser
{
    private const byte SP = (byte)' ';

    /// <summary>Parses a command line held in one span.</summary>
    /// <param name="line">The line without CRLF.</param>
    /// <param name="options">Session state that affects parsing.</param>
    /// <param name="command">The command; spans point into <paramref name="line"/>.</param>
    /// <returns><see cref="SmtpReason.None"/> on success, else why the line was refused.</returns>
    public static SmtpReason Parse(ReadOnlySpan<byte> line, SmtpParseOptions options, out SmtpCommand command)
    {
        command = default;
        if (line.Contains((byte)0))
        {
            return SmtpReason.NulCharacter;
        }

        int space = line.IndexOf(SP);
        ReadOnlySpan<byte> verbText = space < 0 ? line : line[..space];
        ReadOnlySpan<byte> rest = space < 0 ? default : TrimSpaces(line[(space + 1)..]);
        SmtpVerb verb = MatchVerb(verbText);
        switch (verb)
        {
            case SmtpVerb.None:
                return HasInvalidVerbCharacters(verbText) ? SmtpReason.InvalidCommandCharacters : SmtpReason.UnrecognizedCommand;

            case SmtpVerb.Data or SmtpVerb.Rset or SmtpVerb.Quit or SmtpVerb.StartTls:
                // RFC 5321 §4.1.1.4/5/10, RFC 3207 §4: these take no argument; answered 501 5.5.4.
                if (!rest.IsEmpty)
                {
                    return SmtpReason.ArgumentNotAllowed;
                }

                command = new SmtpCommand { Verb = verb };
                return SmtpReason.None;

            case SmtpVerb.Noop or SmtpVerb.Help:
                command = new SmtpCommand { Verb = verb, Argument = rest };
                return SmtpReason.None;

            case SmtpVerb.Vrfy or SmtpVerb.Expn:
                if (rest.IsEmpty)
                {
                    return SmtpReason.MissingArgument;
                }

                command = new SmtpCommand { Verb = verb, Argument = rest };
                return SmtpReason.None;

            case SmtpVerb.Helo or SmtpVerb.Ehlo or SmtpVerb.Lhlo:
                return ParseHello(verb, rest, out command);

            case SmtpVerb.Mail:
                return ParseMail(rest, out command);

            case SmtpVerb.Rcpt:
                return ParseRcpt(rest, options, out command);

            case SmtpVerb.Bdat:
                return ParseBdat(rest, out command);

            default:
                return ParseAuth(rest, out command);
        }
    }

    /// <summary>
    /// Parses a command line that may span several segments, copying it into <paramref name="scratch"/> only
    /// when it does.
    /// </summary>
    /// <param name="line">The line without CRLF, as returned by <see cref="SmtpLineFramer.TryReadLine"/>.</param>
    /// <param name="scratch">
    /// A buffer at least as long as the framer's limit (for example <c>stackalloc byte[512]</c>, or a pooled
    /// array for larger limits); the command may point into it.
    /// </param>
    /// <param name="options">Session state that affects parsing.</param>
    /// <param name="command">The command; spans point into the line's memory or <paramref name="scratch"/>.</param>
    /// <returns><see cref="SmtpReason.None"/> on success, else why the line was refused.</returns>
    public static SmtpReason Parse(in ReadOnlySequence<byte> line, Span<byte> scratch, SmtpParseOptions options, out SmtpCommand command)
    {
        if (line.IsSingleSegment)
        {
            return Parse(line.FirstSpan, options, out command);
        }

        if (line.Length > scratch.Length)
        {
            command = default;
            return SmtpReason.LineTooLong;
        }

        line.CopyTo(scratch);
        return Parse(scratch[..(int)line.Length], options, out command);
    }

    private static SmtpVerb MatchVerb(ReadOnlySpan<byte> verb)
    {
        if (verb.Length == 4)
        {
            // OR-ing 0x20 lower-cases letters and maps no non-letter onto a lower-case letter, so equality with
            // a lower-case constant also proves that every octet was a letter.
            uint v = BinaryPrimitives.ReadUInt32LittleEndian(verb) | 0x20202020u;
            return v switch
            {
                0x6f6c6568 => SmtpVerb.Helo,
                0x6f6c6865 => SmtpVerb.Ehlo,
                0x6f6c686c => SmtpVerb.Lhlo,
                0x6c69616d => SmtpVerb.Mail,
                0x74706372 => SmtpVerb.Rcpt,
                0x61746164 => SmtpVerb.Data,
                0x74616462 => SmtpVerb.Bdat,
                0x74657372 => SmtpVerb.Rset,
                0x706f6f6e => SmtpVerb.Noop,
                0x74697571 => SmtpVerb.Quit,
                0x79667276 => SmtpVerb.Vrfy,
                0x6e707865 => SmtpVerb.Expn,
                0x706c6568 => SmtpVerb.Help,
                0x68747561 => SmtpVerb.Auth,
                _ => SmtpVerb.None,
            };
        }

        return verb.Length == 8 && Ascii.EqualsIgnoreCase(verb, "STARTTLS"u8) ? SmtpVerb.StartTls : SmtpVerb.None;
    }

    private static bool HasInvalidVerbCharacters(ReadOnlySpan<byte> verb)
    {
        foreach (byte c in verb)
        {
            if (c is < 0x20 or >= 0x7f)
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<byte> TrimSpaces(ReadOnlySpan<byte> s) => s.Trim(SP);

    private static SmtpReason ParseHello(SmtpVerb verb, ReadOnlySpan<byte> rest, out SmtpCommand command)
    {
        command = default;

        // RFC 5321 §4.1.1.1: exactly one domain or address literal.
        if (rest.IsEmpty || rest.Contains(SP))
        {
            return SmtpReason.HeloSyntax;
        }

        SmtpReason reason = SmtpAddressParser.ValidateDomainOrLiteral(rest);
        if (reason != SmtpReason.None)
        {
            return reason;
        }

        command = new SmtpCommand { Verb = verb, Argument = rest, Domain = rest };
        return SmtpReason.None;
    }

    private static SmtpReason ParseMail(ReadOnlySpan<byte> rest, out SmtpCommand command)
    {
        command = default;
        if (rest.Length < 5 || !Ascii.EqualsIgnoreCase(rest[..5], "FROM:"u8))
        {
            return SmtpReason.MailSyntax;
        }

        // RFC 5321 §4.1.1.2 has no space after "FROM:"; many clients send one, and Postfix accepts it.
        ReadOnlySpan<byte> pathText = rest[5..].TrimStart(SP);
        if (pathText.IsEmpty || pathText[0] != (byte)'<')
        {
            return SmtpReason.MailSyntax;
        }

        SmtpReason reason = SmtpAddressParser.ParsePath(pathText, SmtpReason.InvalidSenderAddress, isMail: true, out SmtpPath path, out int consumed);
        if (reason != SmtpReason.None)
        {
            return reason;
        }

        ReadOnlySpan<byte> parameterText = pathText[consumed..];
        if (!parameterText.IsEmpty && parameterText[0] != SP)
        {
            return SmtpReason.MailSyntax;
        }

        var p = default(Parameters);
        reason = ParseMailParameters(parameterText, ref p);
        if (reason != SmtpReason.None)
        {
            return reason;
        }

        // RFC 6531 §3.4: a UTF-8 reverse-path needs the SMTPUTF8 parameter on this very command.
        if (path.HasNonAscii && !p.SmtpUtf8)
        {
            return SmtpReason.NonAsciiAddressWithoutSmtpUtf8;
        }

        command = new SmtpCommand
        {
            Verb = SmtpVerb.Mail,
            Argument = rest,
            Path = path,
            Size = p.HasSize ? p.Size : null,
            Body = p.Body,
            SmtpUtf8 = p.SmtpUtf8,
            Return = p.Return,
            EnvelopeId = p.EnvelopeId,
            AuthParameter = p.Auth,
            RequireTls = p.RequireTls,
        };
        return SmtpReason.None;
    }

    private static SmtpReason ParseRcpt(ReadOnlySpan<byte> rest, SmtpParseOptions options, out SmtpCommand command)
    {
        command = default;
        if (rest.Length < 3 || !Ascii.EqualsIgnoreCase(rest[..3], "TO:"u8))
        {
            return SmtpReason.RcptSyntax;
        }

        ReadOnlySpan<byte> pathText = rest[3..].TrimStart(SP);
        if (pathText.IsEmpty || pathText[0] != (byte)'<')
        {
            return SmtpReason.RcptSyntax;
        }

        SmtpReason reason = SmtpAddressParser.ParsePath(pathText, SmtpReason.InvalidRecipientAddress, isMail: false, out SmtpPath path, out int consumed);
        if (reason != SmtpReason.None)
        {
            return reason;
        }

        ReadOnlySpan<byte> parameterText = pathText[consumed..];
        if (!parameterText.IsEmpty && parameterText[0] != SP)
        {
            return SmtpReason.RcptSyntax;
        }

        var p = default(Parameters);
        reason = ParseRcptParameters(parameterText, (options & SmtpParseOptions.Utf8Transaction) != 0, ref p);
        if (reason != SmtpReason.None)
        {
            return reason;
        }

        // RFC 6531 §3.4: UTF-8 recipients only in a transaction opened with SMTPUTF8.
        if (path.HasNonAscii && (options & SmtpParseOptions.Utf8Transaction) == 0)
        {
            return SmtpReason.NonAsciiAddressWithoutSmtpUtf8;
        }

        command = new SmtpCommand
        {
            Verb = SmtpVerb.Rcpt,
            Argument = rest,
            Path = path,
            Notify = p.Notify,
            OriginalRecipient = p.OriginalRecipient,
        };
        return SmtpReason.None;
    }

    private static SmtpReason ParseBdat(ReadOnlySpan<byte> rest, out SmtpCommand command)
    {
        command = default;

        // RFC 3030 §2: "BDAT" SP chunk-size [ SP end-marker ], chunk-size = 1*DIGIT, end-marker = "LAST".
        int space = rest.IndexOf(SP);
        ReadOnlySpan<byte> size = space < 0 ? rest : rest[..space];
        ReadOnlySpan<byte> marker = space < 0 ? default : rest[(space + 1)..].TrimStart(SP);
        if (!IsDigits(size) || !TryParseDigits(size, out long chunkSize))
        {
            return SmtpReason.BdatSyntax;
        }

        bool last = false;
        if (!marker.IsEmpty)
        {
            if (!Ascii.EqualsIgnoreCase(marker, "LAST"u8))
            {
                return SmtpReason.BdatSyntax;
            }

            last = true;
        }

        command = new SmtpCommand { Verb = SmtpVerb.Bdat, Argument = rest, ChunkSize = chunkSize, IsLastChunk = last };
        return SmtpReason.None;
    }

    private static SmtpReason ParseAuth(ReadOnlySpan<byte> rest, out SmtpCommand command)
    {
        command = default;
        int space = rest.IndexOf(SP);
        ReadOnlySpan<byte> mechanism = space < 0 ? rest : rest[..space];
        ReadOnlySpan<byte> initial = space < 0 ? default : rest[(space + 1)..].TrimStart(SP);

        // RFC 4954 §4: sasl-mech = 1*20 (UPPER-ALPHA / DIGIT / "-" / "_"); lower case accepted leniently.
        if (mechanism.IsEmpty || mechanism.Length > 20)
        {
            return SmtpReason.AuthSyntax;
        }

        foreach (byte c in mechanism)
        {
            if (!SmtpAddressParser.IsLetDig(c) && c is not ((byte)'-' or (byte)'_'))
            {
                return SmtpReason.AuthSyntax;
            }
        }

        if (!initial.IsEmpty && !(initial.Length == 1 && initial[0] == (byte)'=') && !SmtpAuthResponseParser.IsStrictBase64(initial))
        {
            return SmtpReason.InvalidBase64;
        }

        command = new SmtpCommand { Verb = SmtpVerb.Auth, Argument = rest, AuthMechanism = mechanism, InitialResponse = initial };
        return SmtpReason.None;
    }

    /// <summary>Whether the text is 1*DIGIT.</summary>
    internal static bool IsDigits(ReadOnlySpan<byte> text) => !text.IsEmpty && !text.ContainsAnyExceptInRange((byte)'0', (byte)'9');

    /// <summary>1*DIGIT into a non-negative long; false when empty, non-digit or overflowing.</summary>
    internal static bool TryParseDigits(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (byte c in digits)
        {
            uint d = (uint)(c - '0');
            if (d > 9 || value > (long.MaxValue - d) / 10)
            {
                value = 0;
                return false;
            }

            value = (value * 10) + d;
        }

        return true;
    }
}
