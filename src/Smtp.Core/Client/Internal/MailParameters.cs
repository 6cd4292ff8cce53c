namespace Smtp.Core.Client.Internal;

/// <summary>The ESMTP parameters of one MAIL FROM, already filtered by what the server advertised.</summary>
internal readonly record struct MailParameters(long? Size, SmtpBodyType Body, bool SmtpUtf8, DsnReturn Return, string? EnvelopeId)
{
    /// <summary>The parameters as they appear in the transcript.</summary>
    public string Describe()
        => (Size is long s ? $" SIZE={s}" : string.Empty)
           + Body switch { SmtpBodyType.EightBitMime => " BODY=8BITMIME", SmtpBodyType.BinaryMime => " BODY=BINARYMIME", _ => string.Empty }
           + (SmtpUtf8 ? " SMTPUTF8" : string.Empty)
           + Return switch { DsnReturn.Full => " RET=FULL", DsnReturn.Headers => " RET=HDRS", _ => string.Empty }
           + (EnvelopeId is null ? string.Empty : " ENVID=...");
}
