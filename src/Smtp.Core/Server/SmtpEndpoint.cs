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

    /// <summary>TLS for this endpoint: STARTTLS is offered (RFC 3207), or with <see cref="ImplicitTls"/> every connection starts with TLS. <see langword="null"/> for none.</summary>
    public SmtpTlsOptions? Tls { get; init; }

    /// <summary>Whether connections start with a TLS handshake before the greeting (RFC 8314 §3, "submissions" on port 465). Needs <see cref="Tls"/>.</summary>
    public bool ImplicitTls { get; init; }

    /// <summary>Whether MAIL is refused with <c>530 5.7.0</c> until the session is under TLS (RFC 3207 §4). Needs <see cref="Tls"/>.</summary>
    public bool RequireTls { get; init; }

    /// <summary>Whether MAIL is refused with <c>530 5.7.0</c> until the client authenticated (RFC 4954 §6; message submission). Needs <see cref="SmtpServerOptions.Authentication"/>.</summary>
    public bool RequireAuthentication { get; init; }

    /// <inheritdoc />
    public override string ToString() => EndPoint.ToString();

    /// <summary>Checks the TLS and authentication settings against the server's options.</summary>
    internal void ValidateSecurity(SmtpServerOptions options)
    {
        Tls?.Validate();
        if (Tls is null && (ImplicitTls || RequireTls))
        {
            throw new ArgumentException($"Endpoint {EndPoint}: implicit or required TLS needs Tls options with a certificate.", nameof(Tls));
        }

        if (RequireAuthentication && options.Authentication is null)
        {
            throw new ArgumentException($"Endpoint {EndPoint}: required authentication needs SmtpServerOptions.Authentication.", nameof(RequireAuthentication));
        }
    }
}
