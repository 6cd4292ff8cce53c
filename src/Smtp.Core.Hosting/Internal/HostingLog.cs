using System.Net;
using Microsoft.Extensions.Logging;

namespace Smtp.Core.Hosting.Internal;

/// <summary>The hosting layer's log messages (category <c>Smtp.Core.Hosting</c>); sessions log under <c>Smtp.Core.Server</c>.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "SMTP endpoint {Name} listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, string name, IPEndPoint endPoint);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "No IMessageStore is registered: accepted messages are discarded. Register one with AddSmtpServer().AddMessageStore<T>()")]
    public static partial void NoMessageStore(ILogger logger);

    // Event ids 3 and 4 (accept failures, connection failures) were the hosting layer's own listener's; the
    // server logs both now, under Smtp.Core.Server.

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "SMTP server stopping: {Sessions} session(s) in progress")]
    public static partial void Stopping(ILogger logger, int sessions);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "SMTP server stopped")]
    public static partial void Stopped(ILogger logger);
}
