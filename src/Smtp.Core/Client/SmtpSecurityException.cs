using Smtp.Core.Protocol;

namespace Smtp.Core.Client;

/// <summary>
/// The connection could not be secured as <see cref="SmtpClientOptions.TlsMode"/> demands: STARTTLS was required but
/// not offered, refused, or its handshake or certificate validation failed, or the server sent bytes it must not
/// send around the TLS upgrade. Thrown before any credentials or envelope were sent; the connection is closed.
/// </summary>
public sealed class SmtpSecurityException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SmtpSecurityException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a refused STARTTLS.</summary>
    public SmtpSecurityException(string message, SmtpReply reply)
        : base($"{message}: {reply}")
    {
        Reply = reply;
    }

    /// <summary>The server's reply, when it refused STARTTLS.</summary>
    public SmtpReply? Reply { get; }
}
