using Smtp.Core.Protocol;
using Smtp.Core.Server;

namespace Smtp.Core.Hosting;

/// <summary>
/// The configuration of a hosted SMTP server as it is bound from configuration (section <c>Smtp:Server</c> by
/// default): endpoints, certificate, limits and timeouts. Turned into <see cref="SmtpServerOptions"/> when the host starts.
/// </summary>
/// <remarks>
/// A limit left <see langword="null"/> keeps the default of <see cref="SmtpServerOptions"/>. Everything is checked when
/// the host starts (see <see cref="SmtpServerServiceCollectionExtensions.AddSmtpServer(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, Action{SmtpServerHostOptions}?)"/>);
/// a bad value fails start-up with a message that names its configuration key.
/// </remarks>
public sealed class SmtpServerHostOptions
{
    /// <summary>The endpoints to listen on, by a name of the host's choice (<c>Smtp:Server:Endpoints:Mx:Address</c>). At least one is needed.</summary>
    public IDictionary<string, SmtpEndpointHostOptions> Endpoints { get; } = new Dictionary<string, SmtpEndpointHostOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The server certificate for STARTTLS and implicit TLS, or <see langword="null"/> for a server without TLS.</summary>
    public SmtpCertificateHostOptions? Certificate { get; set; }

    /// <summary>How long a TLS handshake may take, or <see langword="null"/> for the default (30 seconds).</summary>
    public TimeSpan? TlsHandshakeTimeout { get; set; }

    /// <summary>AUTH settings, applied when an authenticator is registered (see <see cref="SmtpServerBuilder.AddAuthenticator{TAuthenticator}"/>).</summary>
    public SmtpAuthenticationHostOptions Authentication { get; set; } = new();

    /// <summary>The name in the greeting and in the EHLO reply; default the machine name (<see cref="SmtpServerOptions.ServerName"/>).</summary>
    public string? ServerName { get; set; }

    /// <summary>Run as an LMTP server (RFC 2033) instead of SMTP.</summary>
    public bool Lmtp { get; set; }

    /// <summary>See <see cref="SmtpServerOptions.MaxMessageSize"/>.</summary>
    public long? MaxMessageSize { get; set; }

    /// <summary>See <see cref="SmtpServerOptions.MaxRecipients"/>.</summary>
    public int? MaxRecipients { get; set; }

    /// <summary>See <see cref="SmtpServerOptions.MaxLineLength"/>.</summary>
    public int? MaxLineLength { get; set; }

    /// <summary>See <see cref="SmtpServerOptions.MaxConnections"/>.</summary>
    public int? MaxConnections { get; set; }

    /// <summary>See <see cref="SmtpServerOptions.MaxConnectionsPerAddress"/>.</summary>
    public int? MaxConnectionsPerAddress { get; set; }

    /// <summary>See <see cref="SmtpServerOptions.MaxProtocolErrors"/>.</summary>
    public int? MaxProtocolErrors { get; set; }

    /// <summary>See <see cref="SmtpServerOptions.CommandTimeout"/> (configuration format <c>00:05:00</c>).</summary>
    public TimeSpan? CommandTimeout { get; set; }

    /// <summary>See <see cref="SmtpServerOptions.DataTimeout"/>.</summary>
    public TimeSpan? DataTimeout { get; set; }

    /// <summary>
    /// See <see cref="SmtpServerOptions.ShutdownGracePeriod"/>. The host's own shutdown timeout
    /// (<c>HostOptions.ShutdownTimeout</c>, 30 seconds by default) also ends the grace period: keep it longer.
    /// </summary>
    public TimeSpan? ShutdownGracePeriod { get; set; }

    /// <summary>See <see cref="SmtpServerOptions.GreetingDelay"/>.</summary>
    public TimeSpan? GreetingDelay { get; set; }

    /// <summary>See <see cref="SmtpServerOptions.BareLineEndings"/>.</summary>
    public BareLineEndingPolicy? BareLineEndings { get; set; }
}
