using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Smtp.Core.Protocol;
using Smtp.Core.Server;

namespace Smtp.Core.Hosting.Internal;

/// <summary>
/// Checks <see cref="SmtpServerHostOptions"/> when the host starts (ValidateOnStart), so that a typo in
/// appsettings.json fails start-up with the key to fix rather than the first connection.
/// </summary>
internal sealed class SmtpServerHostOptionsValidator(string? sectionPath, IServiceProviderIsService services) : IValidateOptions<SmtpServerHostOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpServerHostOptions options)
    {
        var failures = new List<string>();
        bool hasCertificate = options.Certificate is not null;
        if (options.Certificate is { } certificate)
        {
            ValidateCertificate(certificate, failures);
        }

        if (options.Endpoints.Count == 0)
        {
            failures.Add($"{Key("Endpoints")}: no endpoint is configured; add one, for example {Key("Endpoints:Smtp:Address")} = 127.0.0.1:2525.");
        }

        bool hasAuthenticator = services.IsService(typeof(ISmtpAuthenticator));
        foreach ((string endpointName, SmtpEndpointHostOptions endpoint) in options.Endpoints)
        {
            string prefix = "Endpoints:" + endpointName + ":";
            if (endpoint is null)
            {
                failures.Add($"{Key(prefix + "Address")}: the endpoint has no settings.");
                continue;
            }

            if (!EndpointAddress.TryParse(endpoint.Address, out _))
            {
                failures.Add(string.IsNullOrWhiteSpace(endpoint.Address)
                    ? $"{Key(prefix + "Address")} is missing (for example 127.0.0.1:2525)."
                    : $"{Key(prefix + "Address")}: '{endpoint.Address}' is not an IP address with a port (for example 127.0.0.1:2525, [::1]:25, *:25, localhost:2525).");
            }

            if (endpoint.ImplicitTls && !hasCertificate)
            {
                failures.Add($"{Key(prefix + "ImplicitTls")}: implicit TLS needs a certificate ({Key("Certificate:Path")}).");
            }

            if (endpoint.RequireTls && !hasCertificate)
            {
                failures.Add($"{Key(prefix + "RequireTls")}: required TLS needs a certificate ({Key("Certificate:Path")}).");
            }

            if (endpoint.RequireTls && !endpoint.ImplicitTls && !endpoint.StartTls)
            {
                failures.Add($"{Key(prefix + "RequireTls")}: required TLS needs STARTTLS or implicit TLS on this endpoint.");
            }

            if (endpoint.RequireAuthentication && !hasAuthenticator)
            {
                failures.Add($"{Key(prefix + "RequireAuthentication")}: required authentication needs an authenticator (AddSmtpServer().AddAuthenticator<T>()).");
            }

            if (endpoint.Backlog is < 1)
            {
                failures.Add($"{Key(prefix + "Backlog")}: must be at least 1.");
            }
        }

        if (options.ServerName is { } serverName && (serverName.Length == 0 || serverName.AsSpan().IndexOfAny("\r\n\0 \t") >= 0))
        {
            failures.Add($"{Key("ServerName")}: '{serverName}' must be one token without spaces or line breaks.");
        }

        AtLeast(options.MaxLineLength, 512, "MaxLineLength", failures);
        AtLeast(options.MaxRecipients, 1, "MaxRecipients", failures);
        AtLeast(options.MaxMessageSize, 1, "MaxMessageSize", failures);
        AtLeast(options.MaxProtocolErrors, 0, "MaxProtocolErrors", failures);
        AtLeast(options.MaxConnections, 1, "MaxConnections", failures);
        AtLeast(options.MaxConnectionsPerAddress, 1, "MaxConnectionsPerAddress", failures);
        Positive(options.CommandTimeout, "CommandTimeout", failures);
        Positive(options.DataTimeout, "DataTimeout", failures);
        Positive(options.TlsHandshakeTimeout, "TlsHandshakeTimeout", failures);
        NotNegative(options.ShutdownGracePeriod, "ShutdownGracePeriod", failures);
        NotNegative(options.GreetingDelay, "GreetingDelay", failures);
        if (options.BareLineEndings is { } policy && !Enum.IsDefined(policy))
        {
            failures.Add($"{Key("BareLineEndings")}: '{policy}' is not one of {string.Join(", ", Enum.GetNames<BareLineEndingPolicy>())}.");
        }

        if (options.Authentication is { } auth)
        {
            AtLeast(auth.MaxFailures, 1, "Authentication:MaxFailures", failures);
            NotNegative(auth.FailureDelay, "Authentication:FailureDelay", failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void ValidateCertificate(SmtpCertificateHostOptions certificate, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(certificate.Path))
        {
            failures.Add($"{Key("Certificate:Path")} is missing: give the certificate file (PKCS #12, or PEM with {Key("Certificate:KeyPath")}).");
            return;
        }

        if (!File.Exists(certificate.Path))
        {
            failures.Add($"{Key("Certificate:Path")}: the file '{Path.GetFullPath(certificate.Path)}' does not exist.");
            return;
        }

        if (!string.IsNullOrEmpty(certificate.KeyPath) && !File.Exists(certificate.KeyPath))
        {
            failures.Add($"{Key("Certificate:KeyPath")}: the file '{Path.GetFullPath(certificate.KeyPath)}' does not exist.");
            return;
        }

        try
        {
            using X509Certificate2 loaded = CertificateLoader.Load(certificate);
            if (!loaded.HasPrivateKey)
            {
                failures.Add($"{Key("Certificate:Path")}: the certificate in '{certificate.Path}' has no private key.");
            }
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            failures.Add($"{Key("Certificate:Path")}: cannot load '{certificate.Path}' ({ex.Message.TrimEnd('.')}); check the file and {Key("Certificate:Password")}.");
        }
    }

    private void AtLeast(long? value, long minimum, string key, List<string> failures)
    {
        if (value < minimum)
        {
            failures.Add($"{Key(key)}: {value} is below the minimum of {minimum}.");
        }
    }

    private void Positive(TimeSpan? value, string key, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{Key(key)}: {value} must be longer than zero.");
        }
    }

    private void NotNegative(TimeSpan? value, string key, List<string> failures)
    {
        if (value < TimeSpan.Zero)
        {
            failures.Add($"{Key(key)}: {value} must not be negative.");
        }
    }

    private string Key(string relativeKey) => ConfigurationKey.Of(sectionPath, relativeKey);
}
