using System.Globalization;
using Smtp.Core.Protocol;

namespace Smtp.Core.Server;

/// <summary>The replies that depend on the server's options only: built once per server, not per session.</summary>
internal sealed class SmtpServerReplies
{
    public SmtpServerReplies(SmtpServerOptions options)
    {
        // RFC 2034 §3: the greeting carries no enhanced code; it names no software or version.
        Greeting = new SmtpReply(220, null, options.ServerName + (options.Lmtp ? " LMTP" : " ESMTP") + " Service ready");
        Quit = new SmtpReply(221, "2.0.0", options.ServerName + " Service closing transmission channel");
        Shutdown = new SmtpReply(421, "4.3.2", options.ServerName + " Service shutting down, closing connection");
        EhloKeywords =
        [
            "PIPELINING",
            "SIZE " + options.MaxMessageSize.ToString(CultureInfo.InvariantCulture),
            "8BITMIME",
            "BINARYMIME",
            "CHUNKING",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
            "DSN",
        ];
    }

    public SmtpReply Greeting { get; }

    public SmtpReply Quit { get; }

    public SmtpReply Shutdown { get; }

    /// <summary>The EHLO keywords every session offers (STARTTLS and AUTH are added per session). Never modified.</summary>
    public string[] EhloKeywords { get; }
}
