using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Smtp.Core.Tests.Client;

/// <summary>A self-signed certificate for localhost and 127.0.0.1 made once per test run, with PEM files for the external servers.</summary>
internal static class TestCertificate
{
    private static readonly Lazy<X509Certificate2> Lazy = new(Create);
    private static readonly Lazy<(string Cert, string Key)> LazyPem = new(WritePem);

    public static X509Certificate2 Instance => Lazy.Value;

    /// <summary>PEM files (certificate, unencrypted PKCS#8 key) in a temporary folder.</summary>
    public static (string Cert, string Key) PemFiles => LazyPem.Value;

    private static X509Certificate2 Create()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    private static (string, string) WritePem()
    {
        string dir = Path.Combine(Path.GetTempPath(), "smtp-core-tests-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        string cert = Path.Combine(dir, "cert.pem");
        string key = Path.Combine(dir, "key.pem");
        File.WriteAllText(cert, Instance.ExportCertificatePem());
        File.WriteAllText(key, Instance.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (cert, key);
    }

    /// <summary>Accepts exactly this test certificate, nothing else.</summary>
    public static bool AcceptOnlyTestCertificate(object sender, X509Certificate? certificate, X509Chain? chain, System.Net.Security.SslPolicyErrors errors)
        => certificate is not null && certificate.GetCertHashString() == Instance.GetCertHashString();
}
