using Microsoft.Extensions.Logging;

namespace Smtp.Core.Server;

/// <summary>Log messages of TLS and AUTH (event ids 1050–1069). Never log SASL data or credentials.</summary>
internal static partial class SmtpServerLog
{
    [LoggerMessage(1050, LogLevel.Debug, "{SessionId} TLS established: {Tls}")]
    public static partial void TlsEstablished(ILogger logger, string sessionId, string tls);

    [LoggerMessage(1051, LogLevel.Information, "{SessionId} TLS handshake failed: {Reason}")]
    public static partial void TlsHandshakeFailed(ILogger logger, string sessionId, string reason);

    [LoggerMessage(1052, LogLevel.Information, "{SessionId} authenticated as {Identity} with {Mechanism}")]
    public static partial void Authenticated(ILogger logger, string sessionId, string identity, string mechanism);

    [LoggerMessage(1053, LogLevel.Warning, "{SessionId} authentication with {Mechanism} failed ({Failures} so far): {Reply}")]
    public static partial void AuthenticationFailed(ILogger logger, string sessionId, string mechanism, int failures, string reply);
}
