using MailServer;

// Exit codes: 0 after a clean shutdown, 1 when the server cannot run (port in use, Maildir not
// writable), 2 for a bad command line or an option this version does not support yet.
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

if (settings.NeedsTlsOrAuth)
{
    // Parsed and validated now so scripts can be written against them; the TLS and AUTH issue wires them up.
    Console.Error.WriteLine("MailServer: --implicit-tls, --cert, --user and --require-auth are not supported yet (Smtp.Core's server has no TLS or AUTH so far)");
    return 2;
}

return await MailServerHost.RunAsync(settings, Console.Out, Console.Error);
