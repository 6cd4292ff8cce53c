using Microsoft.Extensions.Logging;

namespace Smtp.Core.Server;

/// <summary>The server's log messages and their event ids (1000–1099).</summary>
internal static partial class SmtpServerLog
{
    [LoggerMessage(1000, LogLevel.Information, "Listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, System.Net.EndPoint endPoint);

    [LoggerMessage(1001, LogLevel.Debug, "Session {SessionId} started from {Remote}")]
    public static partial void SessionStarted(ILogger logger, string sessionId, System.Net.EndPoint? remote);

    [LoggerMessage(1002, LogLevel.Debug, "Session {SessionId} ended: {Outcome}")]
    public static partial void SessionEnded(ILogger logger, string sessionId, string outcome);

    [LoggerMessage(1003, LogLevel.Warning, "Connection from {Remote} refused: {Reason}")]
    public static partial void ConnectionRefused(ILogger logger, System.Net.EndPoint? remote, string reason);

    [LoggerMessage(1004, LogLevel.Trace, "{SessionId} C: {Line}")]
    public static partial void ClientLine(ILogger logger, string sessionId, string line);

    [LoggerMessage(1005, LogLevel.Trace, "{SessionId} S: {Reply}")]
    public static partial void ServerReply(ILogger logger, string sessionId, string reply);

    [LoggerMessage(1006, LogLevel.Information, "{SessionId} message from <{From}> to {RecipientCount} recipient(s), {Size} octets: {Reply}")]
    public static partial void MessageOutcome(ILogger logger, string sessionId, string from, int recipientCount, long size, string reply);

    [LoggerMessage(1007, LogLevel.Error, "{SessionId} a host handler failed")]
    public static partial void HandlerFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(1008, LogLevel.Warning, "{SessionId} closing: {Reason}")]
    public static partial void Closing(ILogger logger, string sessionId, string reason);

    [LoggerMessage(1009, LogLevel.Error, "Accept loop on {EndPoint} failed")]
    public static partial void AcceptFailed(ILogger logger, System.Net.EndPoint endPoint, Exception exception);

    [LoggerMessage(1010, LogLevel.Debug, "{SessionId} transport failed")]
    public static partial void TransportFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(1011, LogLevel.Error, "{SessionId} session failed unexpectedly")]
    public static partial void SessionFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(1012, LogLevel.Error, "Connection from {Remote} failed unexpectedly")]
    public static partial void ConnectionFailed(ILogger logger, System.Net.EndPoint? remote, Exception exception);
}
