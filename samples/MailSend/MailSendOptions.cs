using System.Globalization;
using Smtp.Core.Client;

namespace MailSend;

/// <summary>The parsed command line.</summary>
internal sealed class MailSendOptions
{
    public const string Usage =
        "usage: MailSend --server HOST:PORT --from ADDR --to ADDR [--to ADDR]... [--tls none|starttls|starttls-if-offered|implicit]\n" +
        "                [--insecure] [--user NAME --password PASS] [--count N --connections C] [--lmtp] FILE\n" +
        "  Sends FILE (an RFC 5322 message) and prints each recipient's result. Exit code 0 only when every\n" +
        "  recipient of every message was accepted. --from \"\" sends with the null reverse path <>.\n" +
        "  --tls defaults to starttls (required); --insecure skips certificate validation.\n" +
        "  --count N --connections C sends N copies over C pooled connections and prints the rate.";

    public required string Host { get; init; }

    public required int Port { get; init; }

    public required string From { get; init; }

    public required IReadOnlyList<string> To { get; init; }

    public SmtpTlsMode Tls { get; init; } = SmtpTlsMode.StartTlsRequired;

    public bool Insecure { get; init; }

    public string? User { get; init; }

    public string? Password { get; init; }

    public int Count { get; init; } = 1;

    public int Connections { get; init; } = 1;

    public bool Lmtp { get; init; }

    public required string File { get; init; }

    /// <summary>Parses the arguments; on failure returns null and a message saying what is wrong.</summary>
    public static MailSendOptions? TryParse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        string? server = null, from = null, user = null, password = null, file = null;
        var to = new List<string>();
        var tls = SmtpTlsMode.StartTlsRequired;
        bool insecure = false, lmtp = false;
        int count = 1, connections = 1;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string? Value()
            {
                if (i + 1 >= args.Count)
                {
                    return null;
                }

                return args[++i];
            }

            switch (arg)
            {
                case "--server": server = Value() ?? Missing(arg, out error); break;
                case "--from": from = Value() ?? Missing(arg, out error); break;
                case "--to": to.Add(Value() ?? Missing(arg, out error) ?? string.Empty); break;
                case "--user": user = Value() ?? Missing(arg, out error); break;
                case "--password": password = Value() ?? Missing(arg, out error); break;
                case "--insecure": insecure = true; break;
                case "--lmtp": lmtp = true; break;
                case "--tls":
                    string? mode = Value();
                    switch (mode)
                    {
                        case "none": tls = SmtpTlsMode.None; break;
                        case "starttls": tls = SmtpTlsMode.StartTlsRequired; break;
                        case "starttls-if-offered": tls = SmtpTlsMode.StartTlsWhenOffered; break;
                        case "implicit": tls = SmtpTlsMode.ImplicitTls; break;
                        default: error = $"--tls must be none, starttls, starttls-if-offered or implicit, not '{mode}'."; break;
                    }

                    break;
                case "--count": count = PositiveInt(arg, Value(), ref error); break;
                case "--connections": connections = PositiveInt(arg, Value(), ref error); break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal) || file is not null)
                    {
                        error = arg.StartsWith("--", StringComparison.Ordinal) ? $"Unknown option {arg}." : $"Only one FILE may be given ('{file}', '{arg}').";
                    }
                    else
                    {
                        file = arg;
                    }

                    break;
            }

            if (error is not null)
            {
                return null;
            }
        }

        if (server is null || from is null || to.Count == 0 || file is null)
        {
            error = "--server, --from, at least one --to and FILE are required.";
            return null;
        }

        if ((user is null) != (password is null))
        {
            error = "--user and --password go together.";
            return null;
        }

        if (!TrySplitServer(server, out string host, out int port))
        {
            error = $"--server must be HOST:PORT, not '{server}'.";
            return null;
        }

        return new MailSendOptions
        {
            Host = host,
            Port = port,
            From = from,
            To = to,
            Tls = tls,
            Insecure = insecure,
            User = user,
            Password = password,
            Count = count,
            Connections = connections,
            Lmtp = lmtp,
            File = file,
        };
    }

    private static string? Missing(string option, out string? error)
    {
        error = $"{option} needs a value.";
        return null;
    }

    private static int PositiveInt(string option, string? value, ref string? error)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0)
        {
            return n;
        }

        error = $"{option} needs a positive whole number, not '{value}'.";
        return 0;
    }

    /// <summary>HOST:PORT, with [IPv6]:PORT for IPv6 literals.</summary>
    internal static bool TrySplitServer(string server, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        int colon = server.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(server.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            return false;
        }

        host = server[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        return host.Length > 0;
    }
}
