using System.Text;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Interop;

/// <summary>swaks speaking LMTP (RFC 2033) to the server in LMTP mode.</summary>
[TestFixture]
[Category("Interop")]
[Platform(Include = "Linux,MacOsX")]
public sealed class SwaksLmtpInteropTests : SwaksTestBase
{
    private protected override void Configure(Smtp.Core.Server.SmtpServerOptions options) => options.Lmtp = true;

    [Test]
    public async Task An_lmtp_delivery_is_stored_byte_for_byte()
    {
        var message = Encoding.ASCII.GetBytes("Subject: lmtp\r\n\r\nvia LHLO\r\n");
        await SwaksAsync(message, "--protocol", "LMTP");
        await MaildirAssert.HoldsSingleAsync(Server.Maildir.Path, AsStoredBySwaks(message), DeliveryTimeout);
        Assert.That(Encoding.ASCII.GetString(Server.Recorder.ClientBytes.Single()), Does.StartWith("LHLO "));
    }
}
