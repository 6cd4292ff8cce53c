namespace MailServer;

/// <summary>Runs the server described by <see cref="MailServerSettings"/> until SIGINT/SIGTERM.</summary>
internal static class MailServerHost
{
    public static Task<int> RunAsync(MailServerSettings settings, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        // Work in progress on branch server-interop: Smtp.Core.Server (branch server-engine) is not merged yet.
        error.WriteLine("MailServer: this build has no server engine yet");
        return Task.FromResult(1);
    }
}
