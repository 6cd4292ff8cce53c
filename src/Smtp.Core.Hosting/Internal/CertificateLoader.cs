using System.Security.Cryptography.X509Certificates;

namespace Smtp.Core.Hosting.Internal;

/// <summary>Loads the configured server certificate (PKCS #12, or PEM certificate plus key).</summary>
internal static class CertificateLoader
{
    /// <exception cref="System.Security.Cryptography.CryptographicException">The file cannot be read (wrong format or password).</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static X509Certificate2 Load(SmtpCertificateHostOptions options)
    {
        string path = options.Path!;
        if (string.IsNullOrEmpty(options.KeyPath))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, options.Password);
        }

        X509Certificate2 pem = string.IsNullOrEmpty(options.Password)
            ? X509Certificate2.CreateFromPemFile(path, options.KeyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, options.Password, options.KeyPath);
        if (!OperatingSystem.IsWindows())
        {
            return pem;
        }

        // SChannel cannot use the ephemeral key of a PEM-loaded certificate: round-trip it through PKCS #12.
        using (pem)
        {
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
    }
}
