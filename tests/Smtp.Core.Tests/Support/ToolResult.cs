namespace Smtp.Core.Tests.Support;

/// <summary>What an external program did: see <see cref="ExternalTool.RunAsync"/>.</summary>
internal sealed record ToolResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError,
    bool TimedOut, TimeSpan Elapsed)
{
    /// <summary>The whole run, for assertion messages and the test output.</summary>
    public string Describe() =>
        $"$ {CommandLine}\n[exit {(TimedOut ? "killed after timeout" : ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture))}, {Elapsed.TotalSeconds:F1}s]\n"
        + $"--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}\n--------------";

    /// <summary>Fails the test, with the program's output, unless it exited 0 in time.</summary>
    public ToolResult AssertSuccess()
    {
        Assert.That(TimedOut, Is.False, $"timed out:\n{Describe()}");
        Assert.That(ExitCode, Is.Zero, $"non-zero exit:\n{Describe()}");
        return this;
    }
}
