namespace Smtp.Core.Hosting;

/// <summary>One listening endpoint of a hosted server (<c>Smtp:Server:Endpoints:{name}</c>).</summary>
public sealed class SmtpEndpointHostOptions
{
    /// <summary>
    /// The address and port: <c>127.0.0.1:2525</c>, <c>[::1]:25</c>, <c>0.0.0.0:25</c>, <c>*:25</c> (every IPv4 and
    /// IPv6 address) or <c>localhost:2525</c> (IPv4 loopback). Port 0 picks a free port
    /// (see <see cref="SmtpServerHostedService.LocalEndPoints"/>).
    /// </summary>
    public string? Address { get; set; }

    /// <summary>Whether connections start with TLS (RFC 8314, port 465). Needs <see cref="SmtpServerHostOptions.Certificate"/>.</summary>
    public bool ImplicitTls { get; set; }

    /// <summary>Whether STARTTLS (RFC 3207) is offered when a certificate is configured. Default <see langword="true"/>.</summary>
    public bool StartTls { get; set; } = true;

    /// <summary>Whether MAIL is refused with 530 5.7.0 until the session is under TLS. Needs a certificate.</summary>
    public bool RequireTls { get; set; }

    /// <summary>Whether MAIL is refused with 530 5.7.0 until the client authenticated (message submission). Needs an authenticator.</summary>
    public bool RequireAuthentication { get; set; }

    /// <summary>The listen backlog, or <see langword="null"/> for the default (512).</summary>
    public int? Backlog { get; set; }
}
