using Smtp.Core.Client;

namespace Smtp.Core.Tests.Client;

internal static class ClientTestOptions
{
    /// <summary>Options for a loopback test server with short timeouts, so a hung test fails fast.</summary>
    public static SmtpClientOptions For(int port, SmtpTlsMode tls = SmtpTlsMode.None, bool lmtp = false, int chunkSize = 64 * 1024,
        TimeSpan? commandTimeout = null, Smtp.Core.Auth.SaslClientCredentials? credentials = null, string? mechanism = null,
        Microsoft.Extensions.Logging.ILogger? logger = null, bool acceptTestCertificate = true)
        => new()
        {
            Host = "127.0.0.1",
            Port = port,
            TlsMode = tls,
            TargetHost = "localhost",
            ClientName = "client.test",
            UseLmtp = lmtp,
            ChunkSize = chunkSize,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            CommandTimeout = commandTimeout ?? TimeSpan.FromSeconds(10),
            DataTimeout = commandTimeout ?? TimeSpan.FromSeconds(10),
            Credentials = credentials,
            AuthMechanism = mechanism,
            Logger = logger,
            RemoteCertificateValidation = acceptTestCertificate ? TestCertificate.AcceptOnlyTestCertificate : null,
        };

    public static SmtpMessageContent Message(string text) => SmtpMessageContent.FromBytes(System.Text.Encoding.UTF8.GetBytes(text));
}
