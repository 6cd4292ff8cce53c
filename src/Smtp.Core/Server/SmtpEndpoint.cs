using System.Net;

namespace Smtp.Core.Server;

/// <summary>An address and port the server listens on.</summary>
public sealed class SmtpEndpoint
{
    /// <summary>Creates an endpoint.</summary>
    /// <param name="endPoint">The address and port; port 0 picks a free port (see <see cref="SmtpServer.LocalEndPoints"/>).</param>
    public SmtpEndpoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        EndPoint = endPoint;
    }

    /// <summary>The address and port to bind. <see cref="IPAddress.IPv6Any"/> also accepts IPv4 where the OS allows dual mode.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The listen backlog of the socket.</summary>
    public int Backlog { get; init; } = 512;

    /// <inheritdoc />
    public override string ToString() => EndPoint.ToString();
}
