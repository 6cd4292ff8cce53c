using Smtp.Core.Protocol;

namespace Smtp.Core.Client;

/// <summary>
/// The server refused a command with a 4xx or 5xx reply. The connection is still usable: the client has reset the
/// transaction where one was open, and the next message can be sent on the same connection.
/// </summary>
public sealed class SmtpCommandException : Exception
{
    /// <summary>Creates the exception for a refused command.</summary>
    /// <param name="command">The command's verb, such as <c>MAIL</c> or <c>DATA</c>.</param>
    /// <param name="reply">The server's reply.</param>
    public SmtpCommandException(string command, SmtpReply reply)
        : base($"The server refused {command}: {reply}")
    {
        Command = command;
        Reply = reply;
    }

    /// <summary>The refused command's verb.</summary>
    public string Command { get; }

    /// <summary>The server's reply.</summary>
    public SmtpReply Reply { get; }

    /// <summary>Whether the failure is transient (4xx), so the same command may succeed later.</summary>
    public bool IsTransient => Reply.IsTransientFailure;
}
