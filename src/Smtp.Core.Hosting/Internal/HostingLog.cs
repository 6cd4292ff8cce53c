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

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Accepting a connection on {EndPoint} failed")]
    public static partial void AcceptFailed(ILogger logger, EndPoint? endPoint, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "A session's connection or DI scope failed")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "SMTP server stopping: {Sessions} session(s) in progress")]
    public static partial void Stopping(ILogger logger, int sessions);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "SMTP server stopped")]
    public static partial void Stopped(ILogger logger);
}
