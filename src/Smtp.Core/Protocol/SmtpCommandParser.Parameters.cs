using System.Text;

namespace Smtp.Core.Protocol;

/// <summary>ESMTP parameters of MAIL and RCPT (RFC 5321 §4.1.2 esmtp-param).</summary>
public static partial class SmtpCommandParser
{
    // RFC 3461 §4.4 and §4.2: ENVID is at most 100 characters, ORCPT at most 500.
    private const int MaxEnvelopeId = 100;
    private const int MaxOriginalRecipient = 500;

    private static SmtpReason ParseMailParameters(ReadOnlySpan<byte> text, ref Parameters p)
    {
        while (true)
        {
            SmtpReason reason = NextParameter(ref text, SmtpReason.MailSyntax, out var keyword, out var value, out bool hasValue);
            if (reason != SmtpReason.None)
            {
                return reason;
            }

            if (keyword.IsEmpty)
            {
                return SmtpReason.None;
            }

            ParameterId id = IdentifyMail(keyword);
            if (id == ParameterId.Unknown)
            {
                return SmtpReason.UnknownParameter;
            }

            if ((p.Seen & id) != 0)
            {
                return SmtpReason.DuplicateParameter;
            }

            p.Seen |= id;
            reason = id switch
            {
                ParameterId.Size => ParseSize(value, hasValue, ref p),
                ParameterId.Body => ParseBody(value, ref p),
                ParameterId.SmtpUtf8 => NoValue(hasValue, ref p.SmtpUtf8),
                ParameterId.RequireTls => NoValue(hasValue, ref p.RequireTls),
                ParameterId.Ret => ParseRet(value, ref p),
                ParameterId.EnvelopeId => ParseXtextValue(value, MaxEnvelopeId, out p.EnvelopeId),
                _ => ParseXtextValue(value, int.MaxValue, out p.Auth),
            };
            if (reason != SmtpReason.None)
            {
                return reason;
            }
        }
    }

    private static SmtpReason ParseRcptParameters(ReadOnlySpan<byte> text, bool utf8Transaction, ref Parameters p)
    {
        while (true)
        {
            SmtpReason reason = NextParameter(ref text, SmtpReason.RcptSyntax, out var keyword, out var value, out _);
            if (reason != SmtpReason.None)
            {
                return reason;
            }

            if (keyword.IsEmpty)
            {
                return SmtpReason.None;
            }

            ParameterId id = Ascii.EqualsIgnoreCase(keyword, "NOTIFY"u8) ? ParameterId.Notify
                : Ascii.EqualsIgnoreCase(keyword, "ORCPT"u8) ? ParameterId.OriginalRecipient
                : ParameterId.Unknown;
            if (id == ParameterId.Unknown)
            {
                return SmtpReason.UnknownParameter;
            }

            if ((p.Seen & id) != 0)
            {
                return SmtpReason.DuplicateParameter;
            }

            p.Seen |= id;
            reason = id == ParameterId.Notify ? ParseNotify(value, ref p) : ParseOriginalRecipient(value, utf8Transaction, ref p);
            if (reason != SmtpReason.None)
            {
                return reason;
            }
        }
    }

    /// <summary>
    /// Splits off the next <c>keyword[=value]</c>. An empty keyword with <see cref="SmtpReason.None"/> means the
    /// end of the parameters.
    /// </summary>
    private static SmtpReason NextParameter(
        scoped ref ReadOnlySpan<byte> text,
        SmtpReason syntaxReason,
        out ReadOnlySpan<byte> keyword,
        out ReadOnlySpan<byte> value,
        out bool hasValue)
    {
        keyword = default;
        value = default;
        hasValue = false;
        text = text.TrimStart(SP);
        if (text.IsEmpty)
        {
            return SmtpReason.None;
        }

        int space = text.IndexOf(SP);
        ReadOnlySpan<byte> token = space < 0 ? text : text[..space];
        text = space < 0 ? default : text[space..];
        int equals = token.IndexOf((byte)'=');
        keyword = equals < 0 ? token : token[..equals];

        // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
        if (keyword.IsEmpty || !SmtpAddressParser.IsLetDig(keyword[0]))
        {
            keyword = default;
            return syntaxReason;
        }

        foreach (byte c in keyword)
        {
            if (!SmtpAddressParser.IsLetDig(c) && c != (byte)'-')
            {
                keyword = default;
                return syntaxReason;
            }
        }

        if (equals >= 0)
        {
            hasValue = true;
            value = token[(equals + 1)..];

            // esmtp-value = 1*(%d33-60 / %d62-126), RFC 6531 adding UTF-8; each parameter checks its own syntax
            // below, but an empty value, "=" or a control character is never acceptable.
            if (value.IsEmpty || value.ContainsAnyInRange((byte)0, (byte)32) || value.Contains((byte)127) || value.Contains((byte)'='))
            {
                return SmtpReason.InvalidParameterValue;
            }
        }

        return SmtpReason.None;
    }

    private static ParameterId IdentifyMail(ReadOnlySpan<byte> keyword) => keyword.Length switch
    {
        3 when Ascii.EqualsIgnoreCase(keyword, "RET"u8) => ParameterId.Ret,
        4 when Ascii.EqualsIgnoreCase(keyword, "SIZE"u8) => ParameterId.Size,
        4 when Ascii.EqualsIgnoreCase(keyword, "BODY"u8) => ParameterId.Body,
        4 when Ascii.EqualsIgnoreCase(keyword, "AUTH"u8) => ParameterId.Auth,
        5 when Ascii.EqualsIgnoreCase(keyword, "ENVID"u8) => ParameterId.EnvelopeId,
        8 when Ascii.EqualsIgnoreCase(keyword, "SMTPUTF8"u8) => ParameterId.SmtpUtf8,
        10 when Ascii.EqualsIgnoreCase(keyword, "REQUIRETLS"u8) => ParameterId.RequireTls,
        _ => ParameterId.Unknown,
    };

    private static SmtpReason ParseSize(ReadOnlySpan<byte> value, bool hasValue, ref Parameters p)
    {
        // RFC 1870 §3: size-value = 1*20DIGIT. A value beyond a long can only exceed any limit: 552 5.3.4.
        if (!hasValue || !IsDigits(value))
        {
            return SmtpReason.InvalidParameterValue;
        }

        if (!TryParseDigits(value, out p.Size))
        {
            return SmtpReason.MessageTooLarge;
        }

        p.HasSize = true;
        return SmtpReason.None;
    }

    private static SmtpReason ParseBody(ReadOnlySpan<byte> value, ref Parameters p)
    {
        p.Body = value.Length switch
        {
            4 when Ascii.EqualsIgnoreCase(value, "7BIT"u8) => SmtpBodyType.SevenBit,
            8 when Ascii.EqualsIgnoreCase(value, "8BITMIME"u8) => SmtpBodyType.EightBitMime,
            10 when Ascii.EqualsIgnoreCase(value, "BINARYMIME"u8) => SmtpBodyType.BinaryMime,
            _ => SmtpBodyType.None,
        };
        return p.Body == SmtpBodyType.None ? SmtpReason.InvalidParameterValue : SmtpReason.None;
    }

    private static SmtpReason ParseRet(ReadOnlySpan<byte> value, ref Parameters p)
    {
        p.Return = Ascii.EqualsIgnoreCase(value, "FULL"u8) ? SmtpDsnReturn.Full
            : Ascii.EqualsIgnoreCase(value, "HDRS"u8) ? SmtpDsnReturn.Headers
            : SmtpDsnReturn.None;
        return p.Return == SmtpDsnReturn.None ? SmtpReason.InvalidParameterValue : SmtpReason.None;
    }

    private static SmtpReason NoValue(bool hasValue, ref bool flag)
    {
        // SMTPUTF8 (RFC 6531 §3.4) and REQUIRETLS (RFC 8689 §4.1) take no value.
        flag = true;
        return hasValue ? SmtpReason.InvalidParameterValue : SmtpReason.None;
    }

    private static SmtpReason ParseXtextValue(ReadOnlySpan<byte> value, int maxLength, out ReadOnlySpan<byte> target)
    {
        target = default;
        if (value.IsEmpty || value.Length > maxLength)
        {
            return SmtpReason.InvalidParameterValue;
        }

        if (!Xtext.IsValid(value))
        {
            return SmtpReason.InvalidXtext;
        }

        target = value;
        return SmtpReason.None;
    }

    private static SmtpReason ParseNotify(ReadOnlySpan<byte> value, ref Parameters p)
    {
        // RFC 3461 §4.1: "NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" ).
        SmtpDsnNotify notify = SmtpDsnNotify.None;
        foreach (Range range in value.Split((byte)','))
        {
            ReadOnlySpan<byte> item = value[range];
            SmtpDsnNotify flag = item.Length switch
            {
                5 when Ascii.EqualsIgnoreCase(item, "NEVER"u8) => SmtpDsnNotify.Never,
                5 when Ascii.EqualsIgnoreCase(item, "DELAY"u8) => SmtpDsnNotify.Delay,
                7 when Ascii.EqualsIgnoreCase(item, "SUCCESS"u8) => SmtpDsnNotify.Success,
                7 when Ascii.EqualsIgnoreCase(item, "FAILURE"u8) => SmtpDsnNotify.Failure,
                _ => SmtpDsnNotify.None,
            };
            if (flag == SmtpDsnNotify.None || (notify & flag) != 0)
            {
                return SmtpReason.InvalidParameterValue;
            }

            notify |= flag;
        }

        if ((notify & SmtpDsnNotify.Never) != 0 && notify != SmtpDsnNotify.Never)
        {
            return SmtpReason.InvalidParameterValue;
        }

        p.Notify = notify;
        return notify == SmtpDsnNotify.None ? SmtpReason.InvalidParameterValue : SmtpReason.None;
    }

    private static SmtpReason ParseOriginalRecipient(ReadOnlySpan<byte> value, bool utf8Transaction, ref Parameters p)
    {
        // RFC 3461 §4.2: addr-type ";" xtext, addr-type an atom such as "rfc822" or "utf-8" (RFC 6533).
        int semicolon = value.IndexOf((byte)';');
        if (semicolon <= 0 || semicolon == value.Length - 1 || value.Length > MaxOriginalRecipient)
        {
            return SmtpReason.InvalidParameterValue;
        }

        foreach (byte c in value[..semicolon])
        {
            if (!SmtpAddressParser.IsAtext(c))
            {
                return SmtpReason.InvalidParameterValue;
            }
        }

        ReadOnlySpan<byte> address = value[(semicolon + 1)..];
        bool valid = Ascii.EqualsIgnoreCase(value[..semicolon], "utf-8"u8)
            ? Utf8AddressText.IsValid(address, allowUtf8: utf8Transaction)
            : Xtext.IsValid(address);
        if (!valid)
        {
            return SmtpReason.InvalidXtext;
        }

        p.OriginalRecipient = value;
        return SmtpReason.None;
    }

    [Flags]
    private enum ParameterId
    {
        Unknown = 0,
        Size = 1,
        Body = 2,
        SmtpUtf8 = 4,
        Ret = 8,
        EnvelopeId = 16,
        Auth = 32,
        RequireTls = 64,
        Notify = 128,
        OriginalRecipient = 256,
    }

    /// <summary>Parameter values collected while parsing, before the immutable command is built.</summary>
    private ref struct Parameters
    {
        public ParameterId Seen;
        public bool HasSize;
        public long Size;
        public SmtpBodyType Body;
        public bool SmtpUtf8;
        public bool RequireTls;
        public SmtpDsnReturn Return;
        public ReadOnlySpan<byte> EnvelopeId;
        public ReadOnlySpan<byte> Auth;
        public SmtpDsnNotify Notify;
        public ReadOnlySpan<byte> OriginalRecipient;
    }
}
