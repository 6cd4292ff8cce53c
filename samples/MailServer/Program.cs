using MailServer;

// Sessions run on the socket threads instead of hopping to the thread pool for every command, which cuts the
// CPU a small message costs by more than half (benchmarks/README.md). Safe here because no handler of this
// program blocks its thread: the discard store never waits, and the Maildir store does its fsyncs on the thread
// pool. The runtime reads the variable when the first socket operation starts, so this comes first; set it to
// 0 to turn it off. A host whose own filters or stores may block should leave it unset (see the README).
const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
{
    Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
}

// Exit codes: 0 after a clean shutdown, 1 when the server cannot run (port in use, Maildir not
// writable, certificate unreadable), 2 for a bad command line.
var parsed = CommandLine.Parse(args);
if (parsed.HelpRequested)
{
    Console.Out.Write(CommandLine.Usage);
    return 0;
}

if (parsed.Settings is not { } settings)
{
    Console.Error.WriteLine($"MailServer: {parsed.Error}");
    Console.Error.WriteLine();
    Console.Error.Write(CommandLine.Usage);
    return 2;
}

return await MailServerHost.RunAsync(settings, Console.Out, Console.Error);
