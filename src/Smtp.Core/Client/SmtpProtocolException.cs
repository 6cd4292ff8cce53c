using Smtp.Core.Protocol;

namespace Smtp.Core.Client;

/// <summary>
/// The conversation broke: a malformed or over-long reply, an unexpected reply code, a timeout, a closed
/// connection, or a 421 "closing" reply. The connection is no longer usable; reconnect to go on.
/// </summary>
public sealed class SmtpProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SmtpProtocolException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a reply that ended the conversation, such as 421.</summary>
    public SmtpProtocolException(string message, SmtpReply reply)
        : base($"{message}: {reply}")
    {
        Reply = reply;
    }

    /// <summary>The reply that ended the conversation, when one did.</summary>
    public SmtpReply? Reply { get; }
}
