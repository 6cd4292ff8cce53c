using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Interop;

/// <summary>
/// samples/MailServer run as a process with --cert, --implicit-tls, --user and --require-auth, driven by swaks.
/// </summary>
[TestFixture]
[Category("Interop")]
[Platform(Include = "Linux,MacOsX")]
public sealed class TlsAuthSampleProcessTests
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private DirectoryInfo _work = null!;

    [SetUp]
    public void CreateWorkDirectory() => _work = Directory.CreateTempSubdirectory("smtp-core-tls-sample-");

    [TearDown]
    public void DeleteWorkDirectory() => _work.Delete(recursive: true);

    private static string SampleDll => Path.Combine(TestContext.CurrentContext.TestDirectory, "MailServer.dll");

    private static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : ExternalTool.Require("dotnet");

    [Test]
    public async Task The_sample_serves_starttls_implicit_tls_and_auth_from_its_command_line()
    {
        string swaks = ExternalTool.Require("swaks");
        Assert.That(File.Exists(SampleDll), Is.True, SampleDll);

        // A PFX without a password (the sample reads one from MAILSERVER_CERT_PASSWORD when set).
        string pfx = Path.Combine(_work.FullName, "server.pfx");
        await File.WriteAllBytesAsync(pfx, TestCertificates.Server.Export(X509ContentType.Pkcs12));
        await using var sample = BackgroundProcess.Start(Dotnet,
            [SampleDll, "--listen", "127.0.0.1:0", "--implicit-tls", "127.0.0.1:0", "--cert", pfx, "--user", "alice:secret", "--require-auth", "--discard"]);
        await sample.WaitForLineAsync(l => l.StartsWith("Press Ctrl+C", StringComparison.Ordinal), s_startTimeout);
        int[] ports = [.. sample.StandardOutput.Split('\n')
            .Where(l => l.StartsWith("Listening on 127.0.0.1:", StringComparison.Ordinal))
            .Select(l => int.Parse(l.AsSpan("Listening on 127.0.0.1:".Length).Trim(), CultureInfo.InvariantCulture))];
        Assert.That(ports, Has.Length.EqualTo(2), sample.Describe());

        Task<ToolResult> Swaks(int port, params string[] extra) => ExternalTool.RunAsync(swaks,
            ["--server", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--from", "alice@example.org", "--to", "bob@example.net", "--timeout", "20", .. extra],
            TimeSpan.FromSeconds(40));

        ToolResult starttls = (await Swaks(ports[0], "--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "secret")).AssertSuccess();
        Assert.That(starttls.StandardOutput, Does.Contain("235 2.7.0"));
        (await Swaks(ports[1], "--tlsc", "--auth", "CRAM-MD5", "--auth-user", "alice", "--auth-password", "secret")).AssertSuccess();

        ToolResult anonymous = await Swaks(ports[0], "--tls");
        Assert.That(anonymous.ExitCode, Is.Not.Zero, anonymous.Describe());
        Assert.That(anonymous.StandardOutput, Does.Contain("530 5.7.0 Authentication required"));

        sample.Signal(BackgroundProcess.SIGTERM);
        Assert.That(await sample.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.Zero, sample.Describe());
        Assert.That(sample.StandardOutput + sample.StandardError, Does.Not.Contain("secret"));
    }
}
