namespace Smtp.Core.Client;

/// <summary>
/// The message or envelope needs a service extension that the server did not advertise (such as SMTPUTF8,
/// 8BITMIME, BINARYMIME or CHUNKING), or is larger than the server's advertised SIZE. Thrown before any command of
/// the transaction is written; the connection is still usable.
/// </summary>
public sealed class SmtpCapabilityException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="extension">The EHLO keyword the message needs, such as <c>SMTPUTF8</c> or <c>SIZE</c>.</param>
    /// <param name="message">What is missing and why it is needed.</param>
    public SmtpCapabilityException(string extension, string message)
        : base(message)
    {
        Extension = extension;
    }

    /// <summary>The EHLO keyword the message needs.</summary>
    public string Extension { get; }
}
