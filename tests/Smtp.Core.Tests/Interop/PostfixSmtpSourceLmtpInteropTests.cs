using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Interop;

/// <summary>Postfix's smtp-source speaking LMTP (-L) to the server in LMTP mode.</summary>
[TestFixture]
[Category("Interop")]
[Platform(Include = "Linux,MacOsX")]
public sealed class PostfixSmtpSourceLmtpInteropTests : InteropTestBase
{
    private protected override void Configure(Smtp.Core.Server.SmtpServerOptions options) => options.Lmtp = true;

    [Test]
    public async Task Lmtp_deliveries_with_several_recipients_are_all_stored()
    {
        // RFC 2033 §4.2: one reply per recipient after the final dot; smtp-source -L expects exactly that.
        var source = ExternalTool.Require("smtp-source");
        (await ExternalTool.RunAsync(source,
            ["-L", "-d", "-s", "2", "-m", "40", "-r", "3", "-l", "500", "-f", "a@example.org", "-t", "b@example.com", $"127.0.0.1:{Server.ServerEndPoint.Port}"],
            ToolTimeout)).AssertSuccess();
        Assert.That(await MaildirAssert.WaitForMessagesAsync(Server.Maildir.Path, 40, DeliveryTimeout), Has.Count.EqualTo(40));
    }
}
