using System.Net;

namespace Smtp.Core.Server;

/// <summary>The session's <see cref="ISmtpSessionContext"/>: state the session updates and hosts read.</summary>
internal sealed class SmtpSessionContext : ISmtpSessionContext
{
    private Dictionary<string, object?>? _properties;

    public SmtpSessionContext(string sessionId, EndPoint? remoteEndPoint, EndPoint? localEndPoint, bool isLmtp)
    {
        SessionId = sessionId;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
        IsLmtp = isLmtp;
    }

    public string SessionId { get; }

    public EndPoint? RemoteEndPoint { get; }

    public EndPoint? LocalEndPoint { get; }

    public IPAddress? RemoteAddress => (RemoteEndPoint as IPEndPoint)?.Address;

    public string? ClientName { get; set; }

    public bool IsExtended { get; set; }

    public bool IsLmtp { get; }

    public bool IsSecure { get; set; }

    public SmtpTlsInfo? Tls { get; set; }

    public string? AuthenticatedIdentity { get; set; }

    public IDictionary<string, object?> Properties => _properties ??= new Dictionary<string, object?>(StringComparer.Ordinal);
}
