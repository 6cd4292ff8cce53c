using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Smtp.Core.Hosting.Internal;
using Smtp.Core.Hosting.Tests.Support;

namespace Smtp.Core.Hosting.Tests;

/// <summary>A bad configuration fails the host's start-up with a message that names the key to fix.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ConfigurationValidationTests
{
    [TestCase("127.0.0.1:99999")]
    [TestCase("mail.example.test:25")]
    [TestCase("127.0.0.1")]
    [TestCase("")]
    public async Task A_bad_endpoint_fails_start_up_naming_the_key(string address)
    {
        string message = await StartFailureAsync(TestHost.LoopbackSettings(("Smtp:Server:Endpoints:Test:Address", address)));
        Assert.That(message, Does.Contain("Smtp:Server:Endpoints:Test:Address"));
        Assert.That(message, Does.Contain(address.Length == 0 ? "is missing" : $"'{address}'"));
    }

    [Test]
    public async Task A_missing_certificate_file_fails_start_up_naming_the_key_and_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), "smtp-hosting-" + Guid.NewGuid().ToString("N") + ".pfx");
        string message = await StartFailureAsync(TestHost.LoopbackSettings(("Smtp:Server:Certificate:Path", path)));
        Assert.That(message, Does.Contain("Smtp:Server:Certificate:Path"));
        Assert.That(message, Does.Contain(path).And.Contain("does not exist"));
    }

    [Test]
    public async Task A_certificate_section_without_a_path_fails_start_up_naming_the_key()
    {
        string message = await StartFailureAsync(TestHost.LoopbackSettings(("Smtp:Server:Certificate:Password", "secret")));
        Assert.That(message, Does.Contain("Smtp:Server:Certificate:Path is missing"));
    }

    [Test]
    public async Task A_wrong_certificate_password_fails_start_up_naming_the_password_key()
    {
        using var certificate = new TestCertificate("right");
        string message = await StartFailureAsync(TestHost.LoopbackSettings(
            ("Smtp:Server:Certificate:Path", certificate.PfxPath),
            ("Smtp:Server:Certificate:Password", "wrong")));
        Assert.That(message, Does.Contain("Smtp:Server:Certificate:Path").And.Contain("Smtp:Server:Certificate:Password"));
    }

    [Test]
    public async Task Implicit_tls_without_a_certificate_fails_start_up()
    {
        string message = await StartFailureAsync(TestHost.LoopbackSettings(("Smtp:Server:Endpoints:Test:ImplicitTls", "true")));
        Assert.That(message, Does.Contain("Smtp:Server:Endpoints:Test:ImplicitTls").And.Contain("Smtp:Server:Certificate:Path"));
    }

    [Test]
    public async Task Required_authentication_without_an_authenticator_fails_start_up()
    {
        string message = await StartFailureAsync(TestHost.LoopbackSettings(("Smtp:Server:Endpoints:Test:RequireAuthentication", "true")));
        Assert.That(message, Does.Contain("Smtp:Server:Endpoints:Test:RequireAuthentication").And.Contain("AddAuthenticator"));
    }

    [Test]
    public async Task No_endpoint_fails_start_up()
    {
        var settings = TestHost.LoopbackSettings();
        settings.Remove("Smtp:Server:Endpoints:Test:Address");
        string message = await StartFailureAsync(settings);
        Assert.That(message, Does.Contain("Smtp:Server:Endpoints: no endpoint is configured"));
    }

    [Test]
    public async Task Limits_below_their_minimum_fail_start_up_all_at_once()
    {
        string message = await StartFailureAsync(TestHost.LoopbackSettings(
            ("Smtp:Server:MaxLineLength", "100"),
            ("Smtp:Server:CommandTimeout", "00:00:00"),
            ("Smtp:Server:ServerName", "two words")));
        Assert.That(message, Does.Contain("Smtp:Server:MaxLineLength: 100 is below the minimum of 512"));
        Assert.That(message, Does.Contain("Smtp:Server:CommandTimeout"));
        Assert.That(message, Does.Contain("Smtp:Server:ServerName"));
    }

    [Test]
    public void A_port_in_use_fails_start_up_naming_the_endpoint()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        int port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        IHost host = TestHost.Build(TestHost.LoopbackSettings(
            ("Smtp:Server:Endpoints:Test:Address", "127.0.0.1:0"),
            ("Smtp:Server:Endpoints:Busy:Address", "127.0.0.1:" + port)));
        try
        {
            var ex = Assert.ThrowsAsync<IOException>(() => host.StartAsync());
            Assert.That(ex!.Message, Does.Contain("Busy").And.Contain("127.0.0.1:" + port));
        }
        finally
        {
            host.Dispose();
        }
    }

    [Test]
    public async Task A_client_without_a_host_fails_start_up_naming_the_key()
    {
        IHost host = TestHost.Build(TestHost.LoopbackSettings(("Smtp:Client:Port", "2525")), (builder, _) => builder.Services.AddSmtpClient());
        string message = await StartFailureAsync(host);
        Assert.That(message, Does.Contain("Smtp:Client:Host is missing"));
    }

    [TestCase("127.0.0.1:2525", "127.0.0.1:2525")]
    [TestCase("[::1]:25", "[::1]:25")]
    [TestCase("*:25", "[::]:25")]
    [TestCase("localhost:2525", "127.0.0.1:2525")]
    [TestCase(" 0.0.0.0:0 ", "0.0.0.0:0")]
    public void Endpoint_strings_parse(string text, string expected)
    {
        Assert.That(EndpointAddress.TryParse(text, out IPEndPoint? endPoint), Is.True);
        Assert.That(endPoint!.ToString(), Is.EqualTo(expected));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("127.0.0.1")]
    [TestCase("::1")]
    [TestCase("[::1]")]
    [TestCase("127.0.0.1:65536")]
    [TestCase("127.0.0.1:-1")]
    [TestCase("127.0.0.1:25x")]
    [TestCase("mail.example.test:25")]
    [TestCase("*:")]
    public void Endpoint_strings_without_an_ip_and_port_are_refused(string? text)
        => Assert.That(EndpointAddress.TryParse(text, out _), Is.False);

    private static Task<string> StartFailureAsync(IDictionary<string, string?> settings) => StartFailureAsync(TestHost.Build(settings));

    private static async Task<string> StartFailureAsync(IHost host)
    {
        try
        {
            var ex = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
            TestContext.Out.WriteLine(ex!.Message);
            return ex.Message;
        }
        finally
        {
            await ((IAsyncDisposable)host).DisposeAsync();
        }
    }
}
