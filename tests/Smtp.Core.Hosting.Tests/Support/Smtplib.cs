using System.Net;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Hosting.Tests.Support;

/// <summary>Runs Python's smtplib (a client this project did not write) against a hosted server.</summary>
internal static class Smtplib
{
    /// <summary>Runs <paramref name="script"/> with <c>sys.argv[1:]</c> = host, port, then <paramref name="arguments"/>.</summary>
    public static Task<ToolResult> RunAsync(IPEndPoint server, string script, params string[] arguments)
    {
        string python = ExternalTool.Require("python3");
        return ExternalTool.RunAsync(python, ["-c", script, server.Address.ToString(), server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. arguments], TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Sends one message per argument group over one connection each: <c>count</c> messages on connection 1, ...
    /// Prints the refused recipients of each send as JSON.
    /// </summary>
    public const string SendScript = """
        import sys, smtplib, json
        host, port = sys.argv[1], int(sys.argv[2])
        for count in sys.argv[3:]:
            with smtplib.SMTP(host, port, timeout=20) as s:
                s.ehlo("python.test")
                for i in range(int(count)):
                    msg = "Subject: hosted %d\r\nFrom: sender@python.test\r\n\r\nHello from smtplib %d.\r\n.leading dot\r\n" % (i, i)
                    refused = s.sendmail("sender@python.test", ["alice@example.test", "nobody@example.test"], msg)
                    print(json.dumps(sorted(refused.keys())))
        """;
}
