using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Interop;

/// <summary>
/// Runs swaks, the Swiss Army Knife for SMTP. With <c>--data @FILE</c> it sends the file as the message after
/// turning line ends into CRLF and doubling leading dots; it then ends DATA with CRLF "." CRLF after the
/// message, so the stored message is the file plus one CRLF (an empty last line when the file ends in CRLF).
/// </summary>
public abstract class SwaksTestBase : InteropTestBase
{
    private protected async Task<ToolResult> SwaksAsync(byte[] message, params string[] extra)
    {
        var swaks = ExternalTool.Require("swaks");
        var file = WriteMessageFile("swaks.eml", message);
        string[] arguments =
        [
            "--server", "127.0.0.1", "--port", Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--from", "sender@example.org", "--to", "rcpt@example.com", "--data", "@" + file,
            "--timeout", "30", "--helo", "swaks.example", .. extra,
        ];
        return (await ExternalTool.RunAsync(swaks, arguments, ToolTimeout)).AssertSuccess();
    }

    private protected static byte[] AsStoredBySwaks(byte[] file) => [.. file, .. "\r\n"u8];
}
