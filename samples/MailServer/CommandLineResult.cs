namespace MailServer;

/// <summary>The outcome of parsing the command line: settings, a request for help, or an error.</summary>
internal sealed class CommandLineResult
{
    private CommandLineResult(MailServerSettings? settings, bool helpRequested, string? error)
    {
        Settings = settings;
        HelpRequested = helpRequested;
        Error = error;
    }

    /// <summary>Set when parsing succeeded and the server should run.</summary>
    public MailServerSettings? Settings { get; }

    /// <summary>Set for <c>--help</c>/<c>-h</c>; nothing else is validated then.</summary>
    public bool HelpRequested { get; }

    /// <summary>A one-line, user-facing reason when the command line is wrong.</summary>
    public string? Error { get; }

    public static CommandLineResult Run(MailServerSettings settings) => new(settings, false, null);

    public static CommandLineResult Help() => new(null, true, null);

    public static CommandLineResult Invalid(string error) => new(null, false, error);
}
