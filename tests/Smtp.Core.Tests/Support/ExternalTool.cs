using System.Diagnostics;
using System.Text;

namespace Smtp.Core.Tests.Support;

/// <summary>
/// Finds and runs programs this project did not write (swaks, curl, python3, Postfix's smtp-source) for
/// the interoperability tests. A missing program fails the test in CI (where <c>.ci/run</c> must install
/// it) and is ignored elsewhere.
/// </summary>
internal static class ExternalTool
{
    // Postfix installs smtp-sink/smtp-source in /usr/sbin, which is often not on a user's PATH.
    private static readonly string[] ExtraDirectories = ["/usr/sbin", "/sbin", "/usr/local/sbin"];

    /// <summary>The full path of <paramref name="name"/> on PATH or in the sbin folders, or null.</summary>
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(ExtraDirectories))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate) && IsExecutable(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// The full path of <paramref name="name"/>; when it is missing the test fails under CI=true and is
    /// ignored otherwise (so a developer without Postfix can still run the suite).
    /// </summary>
    public static string Require(string name)
    {
        var found = Find(name);
        if (found is not null)
        {
            return found;
        }

        var message = $"'{name}' is not installed (looked on PATH and in {string.Join(", ", ExtraDirectories)})";
        if (IsCi)
        {
            Assert.Fail($"{message}; .ci/run must install it");
        }

        Assert.Ignore(message);
        return null!; // unreachable: Assert.Ignore throws
    }

    /// <summary>True under continuous integration, where a missing tool is a broken setup, not a choice.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Runs a program to completion, killing it (and its children) when <paramref name="timeout"/> passes.
    /// Its command line, exit code, stdout and stderr are written to the test output, so a failing test
    /// shows what the peer said.
    /// </summary>
    public static async Task<ToolResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        byte[]? standardInput = null, string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var commandLine = FormatCommandLine(fileName, startInfo.ArgumentList);
        using var process = new Process { StartInfo = startInfo };
        var stopwatch = Stopwatch.StartNew();
        process.Start();
        var stdoutTask = ReadAllAsync(process.StandardOutput.BaseStream);
        var stderrTask = ReadAllAsync(process.StandardError.BaseStream);
        try
        {
            if (standardInput is not null)
            {
                await process.StandardInput.BaseStream.WriteAsync(standardInput);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program exited without reading all of its input; its exit code tells the story.
        }

        var timedOut = false;
        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        var result = new ToolResult(commandLine, process.ExitCode, await stdoutTask, await stderrTask, timedOut, stopwatch.Elapsed);
        TestContext.Out.WriteLine(result.Describe());
        return result;
    }

    /// <summary>Quotes arguments for display only (never passed to a shell).</summary>
    public static string FormatCommandLine(string fileName, IEnumerable<string> arguments)
    {
        var builder = new StringBuilder(fileName);
        foreach (var argument in arguments)
        {
            builder.Append(' ');
            builder.Append(argument.Length == 0 || argument.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'') ? $"'{argument}'" : argument);
        }

        return builder.ToString();
    }

    private static async Task<string> ReadAllAsync(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    private static bool IsExecutable(string path) =>
        OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
