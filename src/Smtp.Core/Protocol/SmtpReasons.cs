namespace Smtp.Core.Protocol;

/// <summary>The one table mapping each <see cref="SmtpReason"/> to the reply the server sends.</summary>
/// <remarks>
/// Choices worth knowing: a long command line gets <c>500 5.5.2</c> (RFC 5321 §4.5.3.1.10 gives 500; X.5.6
/// is registered by RFC 4954 only for AUTH exchange lines, which get <c>500 5.5.6</c>). Unknown parameters get
/// 555 (RFC 5321 §4.1.1.11), other argument errors 501. Replies are static values: looking one up does not
/// allocate.
/// </remarks>
public static class SmtpReasons
{
    private static readonly SmtpReply[] Replies = Build();

    /// <summary>Returns the reply for a reason.</summary>
    /// <param name="reason">Any reason other than <see cref="SmtpReason.None"/>.</param>
    /// <returns>The reply; for <see cref="SmtpReason.None"/> or an undefined value, <c>250 2.0.0 OK</c>.</returns>
    public static SmtpReply ToReply(SmtpReason reason)
    {
        var replies = Replies;
        uint index = (uint)reason;
        return index < (uint)replies.Length ? replies[index] : replies[0];
    }

    private static SmtpReply[] Build()
    {
        var table = new SmtpReply[(int)SmtpReason.TooManyRecipients + 1];
        table[(int)SmtpReason.None] = new(250, "2.0.0", "OK");
        table[(int)SmtpReason.LineTooLong] = new(500, "5.5.2", "Line too long");
        table[(int)SmtpReason.AuthLineTooLong] = new(500, "5.5.6", "Authentication exchange line is too long");
        table[(int)SmtpReason.BareLineFeed] = new(500, "5.5.2", "Bare LF received; lines must end with CRLF");
        table[(int)SmtpReason.BareCarriageReturn] = new(500, "5.5.2", "Bare CR received; lines must end with CRLF");
        table[(int)SmtpReason.NulCharacter] = new(500, "5.5.2", "NUL character in command line");
        table[(int)SmtpReason.InvalidCommandCharacters] = new(500, "5.5.2", "Invalid characters in command");
        table[(int)SmtpReason.UnrecognizedCommand] = new(500, "5.5.2", "Command unrecognized");
        table[(int)SmtpReason.ArgumentNotAllowed] = new(501, "5.5.4", "Syntax error: this command takes no argument");
        table[(int)SmtpReason.MissingArgument] = new(501, "5.5.4", "Syntax error: argument required");
        table[(int)SmtpReason.HeloSyntax] = new(501, "5.5.4", "Syntax: EHLO domain-or-address-literal");
        table[(int)SmtpReason.InvalidDomain] = new(501, "5.5.2", "Invalid domain name or address literal");
        table[(int)SmtpReason.MailSyntax] = new(501, "5.5.4", "Syntax: MAIL FROM:<address> [parameters]");
        table[(int)SmtpReason.RcptSyntax] = new(501, "5.5.4", "Syntax: RCPT TO:<address> [parameters]");
        table[(int)SmtpReason.InvalidSenderAddress] = new(501, "5.1.7", "Bad sender address syntax");
        table[(int)SmtpReason.InvalidRecipientAddress] = new(501, "5.1.3", "Bad recipient address syntax");
        table[(int)SmtpReason.PathTooLong] = new(501, "5.5.4", "Path too long");
        table[(int)SmtpReason.LocalPartTooLong] = new(501, "5.5.4", "Local part too long");
        table[(int)SmtpReason.DomainTooLong] = new(501, "5.5.4", "Domain too long");
        table[(int)SmtpReason.NonAsciiAddressWithoutSmtpUtf8] = new(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");
        table[(int)SmtpReason.InvalidUtf8] = new(501, "5.5.2", "Address is not well-formed UTF-8");
        table[(int)SmtpReason.UnknownParameter] = new(555, "5.5.4", "Unsupported parameter");
        table[(int)SmtpReason.DuplicateParameter] = new(501, "5.5.4", "Duplicate parameter");
        table[(int)SmtpReason.InvalidParameterValue] = new(501, "5.5.4", "Invalid parameter value");
        table[(int)SmtpReason.InvalidXtext] = new(501, "5.5.4", "Invalid xtext in parameter value");
        table[(int)SmtpReason.BdatSyntax] = new(501, "5.5.4", "Syntax: BDAT chunk-size [LAST]");
        table[(int)SmtpReason.AuthSyntax] = new(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
        table[(int)SmtpReason.InvalidBase64] = new(501, "5.5.2", "Invalid base64 data");
        table[(int)SmtpReason.AuthenticationCancelled] = new(501, "5.0.0", "Authentication cancelled");
        table[(int)SmtpReason.MessageTooLarge] = new(552, "5.3.4", "Message size exceeds fixed limit");
        table[(int)SmtpReason.BareLineEndingInData] = new(554, "5.6.0", "Message contains a bare CR or LF");
        table[(int)SmtpReason.InsufficientStorage] = new(452, "4.3.1", "Insufficient system storage");
        table[(int)SmtpReason.TooManyRecipients] = new(452, "4.5.3", "Too many recipients");
        return table;
    }
}
