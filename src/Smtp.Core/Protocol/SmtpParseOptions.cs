namespace Smtp.Core.Protocol;

/// <summary>Session state that changes how <see cref="SmtpCommandParser"/> judges a command line.</summary>
[Flags]
public enum SmtpParseOptions
{
    /// <summary>Defaults: ASCII-only recipient addresses.</summary>
    None = 0,

    /// <summary>
    /// The current transaction was opened with <c>MAIL FROM:&lt;...&gt; SMTPUTF8</c>, so RCPT addresses may
    /// contain UTF-8 (RFC 6531 §3.4). A MAIL command needs no option: its own SMTPUTF8 parameter decides.
    /// </summary>
    Utf8Transaction = 1,
}
