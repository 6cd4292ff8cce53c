using Smtp.Core.Protocol;

namespace Smtp.Core.Client.Internal;

/// <summary>The ESMTP parameters of one MAIL FROM, already filtered by what the server advertised.</summary>
internal readonly record struct MailParameters(long? Size, SmtpBodyType Body, bool SmtpUtf8, SmtpDsnReturn Return, string? EnvelopeId)
{
    /// <summary>The parameters as they appear in the transcript.</summary>
    public string Describe()
        => (Size is long s ? $" SIZE={s}" : string.Empty)
           + (ClientCodec.BodyValue(Body) is string body ? " BODY=" + body : string.Empty)
           + (SmtpUtf8 ? " SMTPUTF8" : string.Empty)
           + (ClientCodec.ReturnValue(Return) is string ret ? " RET=" + ret : string.Empty)
           + (EnvelopeId is null ? string.Empty : " ENVID=...");
}
