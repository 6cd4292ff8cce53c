using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Smtp.Core.Tests.Client;

/// <summary>
/// A real SMTP server this project did not write (Postfix's smtp-sink, aiosmtpd, Nodemailer's smtp-server), started
/// on 127.0.0.1 by the test and killed afterwards. Missing tools fail the test on CI (CI=true) and skip it elsewhere.
/// </summary>
internal sealed class ExternalServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ExternalServer(Process process, int port, string outputDirectory)
    {
        _process = process;
        Port = port;
        OutputDirectory = outputDirectory;
    }

    public int Port { get; }

    /// <summary>Where the fixture scripts write each received message (n.eml) and envelope (n.json).</summary>
    public string OutputDirectory { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join("\n", _output);
            }
        }
    }

    /// <summary>Fails (on CI) or skips (elsewhere) when a tool is missing.</summary>
    public static void RequireTool(bool present, string what)
    {
        if (present)
        {
            return;
        }

        string message = $"{what} missing; .ci/run must install it";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Assert.Ignore(message);
    }

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Smtp.Core.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Smtp.Core.sln not found above the test directory.");
        }
    }

    private static string NewOutputDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "smtp-core-client-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Postfix's smtp-sink on a free port: <c>smtp-sink -u nobody [extra] 127.0.0.1:PORT 100</c>.</summary>
    public static async Task<ExternalServer> StartSmtpSinkAsync(params string[] extra)
    {
        const string path = "/usr/sbin/smtp-sink";
        RequireTool(File.Exists(path), "Postfix smtp-sink (/usr/sbin/smtp-sink, Debian package postfix)");
        int port = FreePort();
        var args = new List<string>();
        if (Environment.UserName == "root")
        {
            args.AddRange(["-u", "nobody"]);
        }

        args.AddRange(extra);
        args.AddRange([$"127.0.0.1:{port}", "100"]);
        var server = new ExternalServer(Start(path, args, redirectStdin: false), port, NewOutputDirectory());
        await server.WaitForPortAsync();
        return server;
    }

    /// <summary>The aiosmtpd fixture script (python3-aiosmtpd) with the given options.</summary>
    public static async Task<ExternalServer> StartAiosmtpdAsync(params string[] extra)
    {
        const string python = "/usr/bin/python3";
        bool present = File.Exists(python) && RunQuiet(python, ["-c", "import aiosmtpd"]);
        RequireTool(present, "python3-aiosmtpd (Debian package)");
        string script = Path.Combine(RepositoryRoot, "tests", "Smtp.Core.Tests", "Client", "aiosmtpd_server.py");
        string dir = NewOutputDirectory();
        return await StartReadyAsync(python, [script, "--out", dir, .. extra], dir);
    }

    /// <summary>The Nodemailer smtp-server fixture (tests/Smtp.Core.Tests/Client/node, installed by npm ci).</summary>
    public static async Task<ExternalServer> StartNodeSmtpServerAsync(params string[] extra)
    {
        string folder = Path.Combine(RepositoryRoot, "tests", "Smtp.Core.Tests", "Client", "node");
        bool node = RunQuiet("node", ["--version"]);
        RequireTool(node, "node (Node.js)");
        RequireTool(Directory.Exists(Path.Combine(folder, "node_modules", "smtp-server")),
            "npm package smtp-server (npm ci --prefix tests/Smtp.Core.Tests/Client/node)");
        string dir = NewOutputDirectory();
        return await StartReadyAsync("node", [Path.Combine(folder, "server.js"), "--out", dir, .. extra], dir);
    }

    private static async Task<ExternalServer> StartReadyAsync(string file, IEnumerable<string> args, string dir)
    {
        var process = Start(file, args, redirectStdin: true);
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lines = new List<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"{file} exited before it was ready:\n" + string.Join("\n", lines)));
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            if (e.Data.StartsWith("READY ", StringComparison.Ordinal))
            {
                ready.TrySetResult(int.Parse(e.Data[6..], System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (lines)
                {
                    lines.Add(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            int port = await ready.Task.WaitAsync(TimeSpan.FromSeconds(20));
            var server = new ExternalServer(process, port, dir);
            lock (lines)
            {
                server._output.AddRange(lines);
            }

            return server;
        }
        catch
        {
            Kill(process);
            throw;
        }
    }

    private static Process Start(string file, IEnumerable<string> args, bool redirectStdin)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
    }

    private static bool RunQuiet(string file, string[] args)
    {
        try
        {
            using var p = Start(file, args, redirectStdin: false);
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            return p.WaitForExit(10_000) && p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private async Task WaitForPortAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited early: {await _process.StandardError.ReadToEndAsync()}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>The n-th (1-based) message the fixture stored, waiting briefly for the file to appear.</summary>
    public async Task<byte[]> ReadMessageAsync(int n)
    {
        string path = Path.Combine(OutputDirectory, $"{n}.json");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(path) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return await File.ReadAllBytesAsync(Path.Combine(OutputDirectory, $"{n}.eml"));
    }

    public Task<string> ReadEnvelopeAsync(int n) => File.ReadAllTextAsync(Path.Combine(OutputDirectory, $"{n}.json"));

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill(_process);
        _process.Dispose();
        try
        {
            Directory.Delete(OutputDirectory, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}
