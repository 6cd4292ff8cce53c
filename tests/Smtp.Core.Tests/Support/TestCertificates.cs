using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Smtp.Core.Tests.Support;

/// <summary>Self-signed certificates made at run time (ECDSA P-256, SAN localhost and 127.0.0.1), shared by the TLS tests.</summary>
internal static class TestCertificates
{
    private static readonly Lazy<X509Certificate2> s_server = new(() => Create("localhost", serverAuth: true));
    private static readonly Lazy<X509Certificate2> s_other = new(() => Create("other.test", serverAuth: true));
    private static readonly Lazy<X509Certificate2> s_client = new(() => Create("client.test", serverAuth: false));

    /// <summary>The server certificate for localhost / 127.0.0.1.</summary>
    public static X509Certificate2 Server => s_server.Value;

    /// <summary>A second server certificate, for other.test (SNI selection).</summary>
    public static X509Certificate2 Other => s_other.Value;

    /// <summary>A client certificate.</summary>
    public static X509Certificate2 Client => s_client.Value;

    /// <summary>Writes <see cref="Server"/> as a PFX file into <paramref name="directory"/>; returns its path.</summary>
    public static string ExportServerPfx(string directory, string password)
    {
        string path = Path.Combine(directory, "server.pfx");
        File.WriteAllBytes(path, Server.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    private static X509Certificate2 Create(string name, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        if (serverAuth)
        {
            san.AddIpAddress(IPAddress.Loopback);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], critical: false));
        using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        // Round-trip through PKCS #12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12, "t"), "t");
    }
}
