using MailServer;

// How this program uses the runtime's sockets, unless the environment says otherwise (read by the runtime when
// the first socket operation starts, so this comes first):
// - Inline completions: a session runs on the socket thread that received its bytes, instead of hopping to the
//   thread pool for every command; that more than halves the CPU a small message costs (benchmarks/README.md).
//   Safe only because no handler of this program blocks its thread: the discard store never waits, and the
//   Maildir store does its fsyncs on the thread pool. A host whose own filters or stores may block should not
//   copy this.
// - One socket thread: every session runs on one event loop, as in Postfix's smtp-sink. A development server
//   shares its machine with its clients, and one thread serves over ten thousand small messages a second; more
//   threads than free cores only take turns. Set DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT to use more.
SetDefault("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
SetDefault("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", "1");

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

static void SetDefault(string variable, string value)
{
    if (Environment.GetEnvironmentVariable(variable) is null)
    {
        Environment.SetEnvironmentVariable(variable, value);
    }
}
