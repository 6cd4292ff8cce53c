using MailServer;

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
