namespace Smtp.Core.Protocol;

/// <summary>
/// Why the protocol core refused an input. Every member maps to exactly one reply in
/// <see cref="SmtpReasons.ToReply"/>.
/// </summary>
public enum SmtpReason
{
    /// <summary>No problem: the input was accepted.</summary>
    None = 0,

    /// <summary>A command line exceeded the line limit (RFC 5321 §4.5.3.1.4).</summary>
    LineTooLong,

    /// <summary>An AUTH continuation line exceeded its limit (RFC 4954 §4, enhanced code X.5.6).</summary>
    AuthLineTooLong,

    /// <summary>A command line contained a LF not preceded by CR (RFC 5321 §2.3.8).</summary>
    BareLineFeed,

    /// <summary>A command line contained a CR not followed by LF (RFC 5321 §2.3.8).</summary>
    BareCarriageReturn,

    /// <summary>A command line contained a NUL octet.</summary>
    NulCharacter,

    /// <summary>The command verb contained octets other than ASCII letters (8-bit or control characters).</summary>
    InvalidCommandCharacters,

    /// <summary>The verb is not a command this library knows (including an empty line).</summary>
    UnrecognizedCommand,

    /// <summary>A command that takes no argument (DATA, RSET, QUIT, STARTTLS) was given one.</summary>
    ArgumentNotAllowed,

    /// <summary>VRFY or EXPN without its required argument (RFC 5321 §4.1.1.6, §4.1.1.7).</summary>
    MissingArgument,

    /// <summary>HELO, EHLO or LHLO without a single domain argument.</summary>
    HeloSyntax,

    /// <summary>The HELO, EHLO or LHLO argument is neither a domain nor an address literal (RFC 5321 §4.1.2).</summary>
    InvalidDomain,

    /// <summary>MAIL not in the form <c>MAIL FROM:&lt;path&gt; [parameters]</c>.</summary>
    MailSyntax,

    /// <summary>RCPT not in the form <c>RCPT TO:&lt;path&gt; [parameters]</c>.</summary>
    RcptSyntax,

    /// <summary>The MAIL reverse-path is not a valid address (RFC 5321 §4.1.2).</summary>
    InvalidSenderAddress,

    /// <summary>The RCPT forward-path is not a valid address (RFC 5321 §4.1.2).</summary>
    InvalidRecipientAddress,

    /// <summary>A path exceeded 256 octets (RFC 5321 §4.5.3.1.3).</summary>
    PathTooLong,

    /// <summary>A local part exceeded 64 octets (RFC 5321 §4.5.3.1.1).</summary>
    LocalPartTooLong,

    /// <summary>A domain exceeded 255 octets (RFC 5321 §4.5.3.1.2).</summary>
    DomainTooLong,

    /// <summary>An address contained UTF-8 but SMTPUTF8 was not requested (RFC 6531 §3.4).</summary>
    NonAsciiAddressWithoutSmtpUtf8,

    /// <summary>An address contained octets that are not well-formed UTF-8.</summary>
    InvalidUtf8,

    /// <summary>An ESMTP parameter this library does not know (RFC 5321 §4.1.1.11: 555).</summary>
    UnknownParameter,

    /// <summary>The same ESMTP parameter was given twice.</summary>
    DuplicateParameter,

    /// <summary>An ESMTP parameter has a missing, superfluous or malformed value.</summary>
    InvalidParameterValue,

    /// <summary>An xtext parameter value (ENVID, AUTH, ORCPT) is malformed (RFC 3461 §4).</summary>
    InvalidXtext,

    /// <summary>BDAT not in the form <c>BDAT size [LAST]</c>, or a size that overflows (RFC 3030 §2).</summary>
    BdatSyntax,

    /// <summary>AUTH without a valid mechanism name (RFC 4954 §4).</summary>
    AuthSyntax,

    /// <summary>A SASL response or initial response is not valid base64 (RFC 4954 §4).</summary>
    InvalidBase64,

    /// <summary>The client cancelled an AUTH exchange with <c>*</c> (RFC 4954 §4).</summary>
    AuthenticationCancelled,

    /// <summary>The message, or its declared SIZE, exceeds the limit (RFC 1870 §6).</summary>
    MessageTooLarge,

    /// <summary>Message data contained a bare CR or LF and the policy rejects it (RFC 5321 §2.3.8).</summary>
    BareLineEndingInData,

    /// <summary>The server cannot store the message now (RFC 1870 §6, RFC 3463 X.3.1).</summary>
    InsufficientStorage,

    /// <summary>The transaction already has as many recipients as allowed (RFC 5321 §4.5.3.1.8).</summary>
    TooManyRecipients,
}
