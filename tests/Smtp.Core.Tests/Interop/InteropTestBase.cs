using NUnit.Framework.Interfaces;

namespace Smtp.Core.Tests.Interop;

/// <summary>
/// Starts a fresh <see cref="InteropServer"/> for each test and, when a test fails, writes the SMTP
/// conversation the recorder saw to the test output.
/// </summary>
public abstract class InteropTestBase
{
    /// <summary>Bound for every external program run; a hung peer fails the test instead of the run.</summary>
    protected static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for delivered files to show up after the client returns.</summary>
    protected static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(10);

    private InteropServer? _server;
    private DirectoryInfo? _files;

    internal InteropServer Server => _server ?? throw new InvalidOperationException("no server: SetUp did not run");

    [SetUp]
    public async Task StartServerAsync()
    {
        _files = Directory.CreateTempSubdirectory("smtp-core-interop-files-");
        _server = await InteropServer.StartAsync(Configure);
    }

    [TearDown]
    public async Task StopServerAsync()
    {
        _files?.Delete(recursive: true);
        _files = null;
        if (_server is null)
        {
            return;
        }

        if (TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
        {
            TestContext.Out.WriteLine("--- SMTP conversation (via recorder) ---");
            var transcript = _server.Recorder.Transcript();
            const int Keep = 8000; // large bodies would drown the interesting part: show both ends
            TestContext.Out.WriteLine(transcript.Length <= 3 * Keep ? transcript
                : $"{transcript[..Keep]}\n[... {transcript.Length - 2 * Keep} characters left out ...]\n{transcript[^Keep..]}");
        }

        await _server.DisposeAsync();
        _server = null;
    }

    /// <summary>Lets a fixture change the server's options (LMTP, limits) before it starts.</summary>
    private protected virtual void Configure(Smtp.Core.Server.SmtpServerOptions options)
    {
    }

    /// <summary>Writes a message file into the test's temp folder and returns its path.</summary>
    protected string WriteMessageFile(string name, byte[] content)
    {
        var path = Path.Combine(_files!.FullName, name);
        File.WriteAllBytes(path, content);
        return path;
    }
}
