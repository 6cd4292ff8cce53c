using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Smtp.Core.Hosting.Tests.Support;

/// <summary>A self-signed server certificate for CN=localhost written to a temporary PKCS #12 file.</summary>
internal sealed class TestCertificate : IDisposable
{
    public TestCertificate(string password)
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        PfxPath = Path.Combine(Path.GetTempPath(), "smtp-hosting-" + Guid.NewGuid().ToString("N") + ".pfx");
        File.WriteAllBytes(PfxPath, certificate.Export(X509ContentType.Pkcs12, password));
    }

    public string PfxPath { get; }

    public void Dispose() => File.Delete(PfxPath);
}
