namespace Smtp.Core.Tests.Support;

/// <summary>The process runner the interop tests rely on: output capture, exit codes, timeouts.</summary>
[TestFixture]
[Platform(Include = "Linux,MacOsX")]
public sealed class ExternalToolTests
{
    [Test]
    public void Find_returns_null_for_a_program_that_does_not_exist()
    {
        Assert.That(ExternalTool.Find("smtp-core-no-such-program"), Is.Null);
    }

    [Test]
    public async Task Run_captures_stdout_stderr_stdin_and_exit_code()
    {
        var sh = ExternalTool.Require("sh");
        var result = await ExternalTool.RunAsync(sh, ["-c", "cat; echo oops >&2; exit 3"], TimeSpan.FromSeconds(20), "hello"u8.ToArray());
        Assert.That(result.StandardOutput, Is.EqualTo("hello"));
        Assert.That(result.StandardError, Is.EqualTo("oops\n"));
        Assert.That(result.ExitCode, Is.EqualTo(3));
        Assert.That(result.TimedOut, Is.False);
        Assert.That(result.Describe(), Does.Contain("exit 3").And.Contain("oops"));
    }

    [Test]
    public async Task Run_kills_a_program_that_outlives_its_timeout()
    {
        var sh = ExternalTool.Require("sh");
        var result = await ExternalTool.RunAsync(sh, ["-c", "sleep 30"], TimeSpan.FromMilliseconds(300));
        Assert.That(result.TimedOut, Is.True);
        Assert.That(result.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));
    }
}
