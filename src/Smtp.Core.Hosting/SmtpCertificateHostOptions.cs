namespace Smtp.Core.Hosting;

/// <summary>Where the server certificate comes from (<c>Smtp:Server:Certificate</c>).</summary>
/// <remarks>Keep the password out of appsettings.json: user secrets, environment variables (<c>Smtp__Server__Certificate__Password</c>) or a vault.</remarks>
public sealed class SmtpCertificateHostOptions
{
    /// <summary>A PKCS #12 (.pfx/.p12) file holding the certificate and its private key, or a PEM certificate file when <see cref="KeyPath"/> is set.</summary>
    public string? Path { get; set; }

    /// <summary>The password of the PKCS #12 file, or of the encrypted PEM key; <see langword="null"/> for none.</summary>
    public string? Password { get; set; }

    /// <summary>A PEM private key file for a PEM certificate in <see cref="Path"/>; <see langword="null"/> for a PKCS #12 file.</summary>
    public string? KeyPath { get; set; }
}
