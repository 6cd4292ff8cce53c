using System.Net.Security;
using Smtp.Core.Client;

namespace Smtp.Core.Hosting;

/// <summary>
/// The configuration of a pooled SMTP client as it is bound from configuration (section <c>Smtp:Client</c> by
/// default); turned into <see cref="SmtpClientOptions"/> and an <see cref="SmtpClientPool"/>.
/// </summary>
/// <remarks>A value left <see langword="null"/> keeps the default of <see cref="SmtpClientOptions"/>.</remarks>
public sealed class SmtpClientHostOptions
{
    /// <summary>The server's host name or IP address. Required.</summary>
    public string? Host { get; set; }

    /// <summary>See <see cref="SmtpClientOptions.Port"/>; default 25.</summary>
    public int? Port { get; set; }

    /// <summary>See <see cref="SmtpClientOptions.TlsMode"/> (<c>None</c>, <c>StartTlsRequired</c>, <c>StartTlsWhenOffered</c>, <c>ImplicitTls</c>); default STARTTLS required.</summary>
    public SmtpTlsMode? TlsMode { get; set; }

    /// <summary>See <see cref="SmtpClientOptions.TargetHost"/>.</summary>
    public string? TargetHost { get; set; }

    /// <summary>See <see cref="SmtpClientOptions.ClientName"/>.</summary>
    public string? ClientName { get; set; }

    /// <summary>See <see cref="SmtpClientOptions.UseLmtp"/>.</summary>
    public bool UseLmtp { get; set; }

    /// <summary>The user name for AUTH, with <see cref="Password"/> or <see cref="AccessToken"/>; <see langword="null"/> sends unauthenticated.</summary>
    public string? UserName { get; set; }

    /// <summary>The password for AUTH (keep it in user secrets, the environment or a vault, not in appsettings.json).</summary>
    public string? Password { get; set; }

    /// <summary>An OAuth access token for AUTH (XOAUTH2, OAUTHBEARER) instead of a password.</summary>
    public string? AccessToken { get; set; }

    /// <summary>See <see cref="SmtpClientOptions.AuthMechanism"/>.</summary>
    public string? AuthMechanism { get; set; }

    /// <summary>See <see cref="SmtpClientOptions.AllowAuthWithoutTls"/>.</summary>
    public bool AllowAuthWithoutTls { get; set; }

    /// <summary>See <see cref="SmtpClientOptions.UsePipelining"/>.</summary>
    public bool? UsePipelining { get; set; }

    /// <summary>See <see cref="SmtpClientOptions.UseChunking"/>.</summary>
    public bool? UseChunking { get; set; }

    /// <summary>See <see cref="SmtpClientOptions.ChunkSize"/>.</summary>
    public int? ChunkSize { get; set; }

    /// <summary>See <see cref="SmtpClientOptions.ConnectTimeout"/>.</summary>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>See <see cref="SmtpClientOptions.CommandTimeout"/>.</summary>
    public TimeSpan? CommandTimeout { get; set; }

    /// <summary>See <see cref="SmtpClientOptions.DataTimeout"/>.</summary>
    public TimeSpan? DataTimeout { get; set; }

    /// <summary>The most connections the pool opens at once (<see cref="SmtpClientPool.MaxConnections"/>). Default 4.</summary>
    public int MaxConnections { get; set; } = 4;

    /// <summary>How long a pooled connection may sit idle before a NOOP checks it on reuse; <see langword="null"/> for the pool's default.</summary>
    public TimeSpan? HealthCheckAfterIdle { get; set; }

    /// <summary>
    /// Replaces the default server certificate validation (code only, not bound from configuration): see
    /// <see cref="SmtpClientOptions.RemoteCertificateValidation"/>.
    /// </summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidation { get; set; }
}
