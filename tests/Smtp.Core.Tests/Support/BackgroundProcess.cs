using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Smtp.Core.Tests.Support;

/// <summary>
/// A long-running program under test (the sample server): lines of stdout can be awaited, it can be sent
/// SIGTERM, and it is killed on dispose if still running. Its output goes to the test output on dispose.
/// </summary>
internal sealed class BackgroundProcess : IAsyncDisposable
{
    /// <summary>POSIX signal numbers (the same on Linux and macOS for these two).</summary>
    public const int SIGINT = 2, SIGTERM = 15;

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly string _commandLine;

    private BackgroundProcess(Process process, string commandLine)
    {
        _process = process;
        _commandLine = commandLine;
    }

    public int Id => _process.Id;

    public string StandardOutput { get { lock (_stdout) { return _stdout.ToString(); } } }

    public string StandardError { get { lock (_stderr) { return _stderr.ToString(); } } }

    public static BackgroundProcess Start(string fileName, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var background = new BackgroundProcess(process, ExternalTool.FormatCommandLine(fileName, startInfo.ArgumentList));
        process.OutputDataReceived += (_, e) => background.OnLine(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => background.OnLine(e.Data, isError: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return background;
    }

    /// <summary>The first stdout line (already seen or still to come) that matches, or a failure after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_stdout)
        {
            var seen = _stdout.ToString().Split('\n').FirstOrDefault(match);
            if (seen is not null)
            {
                return seen;
            }

            _waiters.Add((match, found));
        }

        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(found.Task, exited, Task.Delay(timeout));
        if (first == found.Task)
        {
            return await found.Task;
        }

        // The line may have arrived together with the exit.
        lock (_stdout)
        {
            var seen = _stdout.ToString().Split('\n').FirstOrDefault(match);
            if (seen is not null)
            {
                return seen;
            }
        }

        Assert.Fail($"{(first == exited ? "exited before printing" : "timed out waiting for")} the expected line.\n{Describe()}");
        return null!;
    }

    /// <summary>Asks the program to stop the way a service manager (SIGTERM) or a terminal (SIGINT) would.</summary>
    public void Signal(int signal = SIGTERM)
    {
        if (kill(_process.Id, signal) != 0)
        {
            Assert.Fail($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The exit code, or a failure if the program is still running after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"still running after {timeout.TotalSeconds}s.\n{Describe()}");
        }

        return _process.ExitCode;
    }

    public string Describe() =>
        $"$ {_commandLine}\n[{(_process.HasExited ? $"exit {_process.ExitCode}" : "running")}]\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}\n--------------";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        TestContext.Out.WriteLine(Describe());
        _process.Dispose();
    }

    private void OnLine(string? line, bool isError)
    {
        if (line is null)
        {
            return;
        }

        if (isError)
        {
            lock (_stderr)
            {
                _stderr.Append(line).Append('\n');
            }

            return;
        }

        lock (_stdout)
        {
            _stdout.Append(line).Append('\n');
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                waiter.Found.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }

    // DllImport rather than LibraryImport: the generated stub would need AllowUnsafeBlocks for the project.
    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054
    private static extern int kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
