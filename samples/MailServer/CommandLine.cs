using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MailServer;

/// <summary>Parses and validates the sample's command line; no I/O except checking that files exist.</summary>
internal static class CommandLine
{
    /// <summary>Printed for <c>--help</c> and after every command-line error.</summary>
    public const string Usage = """
        Usage: MailServer [options]

        A development mail server built on Smtp.Core: it accepts mail and writes each message into a
        Maildir (DIR/new). With no options it listens on 127.0.0.1:2525 and stores under ./mail.

        Options:
          --listen ADDR:PORT          listen for SMTP (repeatable; IPv6 as [::1]:2525; port 0 picks a free port)
          --implicit-tls ADDR:PORT    listen for SMTP over implicit TLS, RFC 8314 (repeatable; needs --cert)
          --cert FILE                 PFX certificate; enables STARTTLS
          --user NAME:PASSWORD        accept this account with AUTH (repeatable)
          --require-auth              refuse mail from clients that have not authenticated
          --maildir DIR               store messages in DIR/new (DIR, tmp/, new/, cur/ created if missing)
          --discard                   accept and throw messages away (no Maildir)
          --max-message-size BYTES    largest message accepted (announced with SIZE, RFC 1870)
          --max-recipients N          most recipients per message
          --command-timeout SECONDS   how long to wait for a command before closing the connection
          --max-connections N         most simultaneous connections (load tests need more than the default)
          --max-connections-per-address N
                                      most simultaneous connections from one client address
          --lmtp                      speak LMTP (RFC 2033) instead of SMTP
          -h, --help                  show this text

        Stop it with Ctrl+C or SIGTERM; sessions in progress are given time to finish.
        """;

    /// <summary>The command timeout is capped so a typo cannot hold connections for days.</summary>
    private static readonly TimeSpan MaxCommandTimeout = TimeSpan.FromHours(1);

    public static CommandLineResult Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var listen = new List<IPEndPoint>();
        var implicitTls = new List<IPEndPoint>();
        var users = new List<KeyValuePair<string, string>>();
        string? cert = null, maildir = null;
        long? maxMessageSize = null;
        int? maxRecipients = null, maxConnections = null, maxConnectionsPerAddress = null;
        TimeSpan? commandTimeout = null;
        bool requireAuth = false, discard = false, lmtp = false;

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help" or "-?")
            {
                return CommandLineResult.Help();
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                return CommandLineResult.Invalid($"unexpected argument '{arg}'");
            }

            // Both "--name value" and "--name=value" are accepted.
            string name = arg;
            string? inlineValue = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[..equals];
                inlineValue = arg[(equals + 1)..];
            }

            if (name is "--require-auth" or "--discard" or "--lmtp")
            {
                if (inlineValue is not null)
                {
                    return CommandLineResult.Invalid($"option {name} takes no value");
                }

                switch (name)
                {
                    case "--require-auth": requireAuth = true; break;
                    case "--discard": discard = true; break;
                    default: lmtp = true; break;
                }

                continue;
            }

            if (!IsValueOption(name))
            {
                return CommandLineResult.Invalid($"unknown option '{name}'");
            }

            string value;
            if (inlineValue is not null)
            {
                value = inlineValue;
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                return CommandLineResult.Invalid($"option {name} needs a value");
            }

            string? error = null;
            switch (name)
            {
                case "--listen":
                case "--implicit-tls":
                    if (TryParseEndPoint(value, out var endPoint, out error))
                    {
                        (name == "--listen" ? listen : implicitTls).Add(endPoint);
                    }

                    break;
                case "--cert":
                    error = cert is not null ? "option --cert given more than once"
                        : value.Length == 0 ? "option --cert needs a file name"
                        : !File.Exists(value) ? $"certificate file '{value}' not found"
                        : null;
                    cert = value;
                    break;
                case "--user":
                    error = AddUser(users, value);
                    break;
                case "--maildir":
                    error = maildir is not null ? "option --maildir given more than once"
                        : value.Length == 0 ? "option --maildir needs a directory"
                        : null;
                    maildir = value;
                    break;
                case "--max-message-size":
                    if (maxMessageSize is not null)
                    {
                        error = "option --max-message-size given more than once";
                    }
                    else if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0)
                    {
                        maxMessageSize = size;
                    }
                    else
                    {
                        error = $"--max-message-size must be a positive number of bytes, not '{value}'";
                    }

                    break;
                case "--max-recipients":
                    error = ParseCount(name, value, ref maxRecipients);
                    break;
                case "--max-connections":
                    error = ParseCount(name, value, ref maxConnections);
                    break;
                case "--max-connections-per-address":
                    error = ParseCount(name, value, ref maxConnectionsPerAddress);
                    break;
                default: // --command-timeout
                    if (commandTimeout is not null)
                    {
                        error = "option --command-timeout given more than once";
                    }
                    else if (double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
                        && seconds > 0 && seconds <= MaxCommandTimeout.TotalSeconds)
                    {
                        commandTimeout = TimeSpan.FromSeconds(seconds);
                    }
                    else
                    {
                        error = $"--command-timeout must be a number of seconds above 0 and at most {MaxCommandTimeout.TotalSeconds}, not '{value}'";
                    }

                    break;
            }

            if (error is not null)
            {
                return CommandLineResult.Invalid(error);
            }
        }

        var crossCheck = CrossCheck(listen, implicitTls, cert, users, requireAuth, maildir, discard);
        if (crossCheck is not null)
        {
            return CommandLineResult.Invalid(crossCheck);
        }

        if (listen.Count == 0 && implicitTls.Count == 0)
        {
            listen.Add(MailServerSettings.DefaultEndPoint);
        }

        return CommandLineResult.Run(new MailServerSettings
        {
            Listen = listen,
            ImplicitTls = implicitTls,
            CertificatePath = cert,
            Users = users,
            RequireAuth = requireAuth,
            Maildir = discard ? null : maildir ?? MailServerSettings.DefaultMaildir,
            Discard = discard,
            MaxMessageSize = maxMessageSize,
            MaxRecipients = maxRecipients,
            MaxConnections = maxConnections,
            MaxConnectionsPerAddress = maxConnectionsPerAddress,
            CommandTimeout = commandTimeout,
            Lmtp = lmtp,
        });
    }

    /// <summary>
    /// Parses <c>ADDR:PORT</c> with a literal IPv4 address in dotted-quad form or an IPv6 address in
    /// brackets. Host names are refused: a development server should bind exactly what it was told.
    /// </summary>
    public static bool TryParseEndPoint(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPEndPoint? endPoint, out string? error)
    {
        endPoint = null;
        error = $"'{text}' is not ADDR:PORT (for example 127.0.0.1:2525 or [::1]:2525)";
        string address, port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                return false;
            }

            address = text[1..close];
            port = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0)
            {
                return false;
            }

            address = text[..colon];
            port = text[(colon + 1)..];
            if (address.Contains(':', StringComparison.Ordinal))
            {
                error = $"'{text}': write IPv6 addresses in brackets, for example [::1]:2525";
                return false;
            }
        }

        if (!IPAddress.TryParse(address, out var ip))
        {
            return false;
        }

        // IPAddress.TryParse accepts "1" or "10.1" as IPv4 shorthands; refuse them, and refuse an
        // IPv4 address written in brackets, so that what is printed is what was typed.
        var bracketed = text.StartsWith('[');
        if (ip.AddressFamily == AddressFamily.InterNetwork && (bracketed || address.Count(c => c == '.') != 3))
        {
            return false;
        }

        if (ip.AddressFamily == AddressFamily.InterNetworkV6 && !bracketed)
        {
            return false;
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber) || portNumber > IPEndPoint.MaxPort)
        {
            error = $"'{text}': the port must be a number from 0 to {IPEndPoint.MaxPort}";
            return false;
        }

        endPoint = new IPEndPoint(ip, portNumber);
        error = null;
        return true;
    }

    private static bool IsValueOption(string name) => name is "--listen" or "--implicit-tls" or "--cert" or "--user"
        or "--maildir" or "--max-message-size" or "--max-recipients" or "--command-timeout"
        or "--max-connections" or "--max-connections-per-address";

    private static string? ParseCount(string name, string value, ref int? target)
    {
        if (target is not null)
        {
            return $"option {name} given more than once";
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
        {
            target = count;
            return null;
        }

        return $"{name} must be a positive whole number, not '{value}'";
    }

    private static string? AddUser(List<KeyValuePair<string, string>> users, string value)
    {
        // The password may itself contain ':', so only the first one separates.
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == value.Length - 1)
        {
            return $"--user must be NAME:PASSWORD with both parts non-empty, not '{Redact(value)}'";
        }

        var name = value[..colon];
        if (name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return $"--user name '{name}' must not contain spaces or control characters";
        }

        if (users.Exists(u => string.Equals(u.Key, name, StringComparison.Ordinal)))
        {
            return $"--user '{name}' given more than once";
        }

        users.Add(new(name, value[(colon + 1)..]));
        return null;
    }

    /// <summary>Keeps a password out of error messages (they end up in terminals and CI logs).</summary>
    private static string Redact(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? value : value[..(colon + 1)] + "***";
    }

    private static string? CrossCheck(List<IPEndPoint> listen, List<IPEndPoint> implicitTls, string? cert,
        List<KeyValuePair<string, string>> users, bool requireAuth, string? maildir, bool discard)
    {
        if (discard && maildir is not null)
        {
            return "--discard and --maildir cannot be used together";
        }

        if (implicitTls.Count > 0 && cert is null)
        {
            return "--implicit-tls needs --cert FILE";
        }

        if (requireAuth && users.Count == 0)
        {
            return "--require-auth needs at least one --user NAME:PASSWORD";
        }

        // Port 0 asks the system for a fresh port each time, so only fixed ports can collide.
        var seen = new HashSet<IPEndPoint>();
        foreach (var endPoint in listen.Concat(implicitTls))
        {
            if (endPoint.Port != 0 && !seen.Add(endPoint))
            {
                return $"{Format(endPoint)} is given more than once";
            }
        }

        return null;
    }

    /// <summary>Formats an endpoint the way the options take it (IPv6 in brackets).</summary>
    public static string Format(IPEndPoint endPoint) => endPoint.ToString();
}
