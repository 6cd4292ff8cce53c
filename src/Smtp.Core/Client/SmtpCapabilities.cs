using System.Globalization;
using Smtp.Core.Protocol;

namespace Smtp.Core.Client;

/// <summary>The service extensions a server advertised in its EHLO (or LHLO) reply, RFC 5321 §4.1.1.1.</summary>
public sealed class SmtpCapabilities
{
    /// <summary>What a server that answered HELO (no extensions) supports.</summary>
    public static SmtpCapabilities None { get; } = new(false, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));

    private readonly Dictionary<string, string> _keywords;

    private SmtpCapabilities(bool extended, Dictionary<string, string> keywords)
    {
        IsExtended = extended;
        _keywords = keywords;
        if (keywords.TryGetValue("SIZE", out string? size)
            && long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out long max) && max > 0)
        {
            // RFC 1870 §4: SIZE 0 (or no number) means no fixed maximum.
            MaxSize = max;
        }

        var mechanisms = new List<string>();
        if (keywords.TryGetValue("AUTH", out string? list))
        {
            foreach (string m in list.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!mechanisms.Contains(m, StringComparer.OrdinalIgnoreCase))
                {
                    mechanisms.Add(m.ToUpperInvariant());
                }
            }
        }

        AuthMechanisms = mechanisms;
    }

    /// <summary>Whether the server answered EHLO/LHLO (true) or only HELO (false).</summary>
    public bool IsExtended { get; }

    /// <summary>The advertised keywords, upper-case, each with its parameters (empty when none).</summary>
    public IReadOnlyDictionary<string, string> Keywords => _keywords;

    /// <summary>RFC 2920 PIPELINING.</summary>
    public bool Pipelining => Has("PIPELINING");

    /// <summary>RFC 3207 STARTTLS.</summary>
    public bool StartTls => Has("STARTTLS");

    /// <summary>RFC 6152 8BITMIME.</summary>
    public bool EightBitMime => Has("8BITMIME");

    /// <summary>RFC 3030 CHUNKING (BDAT).</summary>
    public bool Chunking => Has("CHUNKING");

    /// <summary>RFC 3030 BINARYMIME.</summary>
    public bool BinaryMime => Has("BINARYMIME");

    /// <summary>RFC 6531 SMTPUTF8.</summary>
    public bool SmtpUtf8 => Has("SMTPUTF8");

    /// <summary>RFC 3461 DSN.</summary>
    public bool Dsn => Has("DSN");

    /// <summary>RFC 2034 ENHANCEDSTATUSCODES.</summary>
    public bool EnhancedStatusCodes => Has("ENHANCEDSTATUSCODES");

    /// <summary>Whether SIZE was advertised at all (RFC 1870), with or without a maximum.</summary>
    public bool Size => Has("SIZE");

    /// <summary>The advertised maximum message size in bytes, or <see langword="null"/> when none is fixed.</summary>
    public long? MaxSize { get; }

    /// <summary>The advertised SASL mechanisms (RFC 4954 §3), upper-case, in the server's order.</summary>
    public IReadOnlyList<string> AuthMechanisms { get; }

    /// <summary>Whether a keyword was advertised (case-insensitive).</summary>
    public bool Has(string keyword) => _keywords.ContainsKey(keyword);

    /// <summary>
    /// Reads the capabilities from a positive EHLO/LHLO reply: the first line is the server's domain and greeting,
    /// each further line one keyword with its parameters (RFC 5321 §4.1.1.1).
    /// </summary>
    internal static SmtpCapabilities FromEhloReply(SmtpReply reply)
    {
        var keywords = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        bool first = true;
        foreach (var range in reply.Text.AsSpan().Split('\n'))
        {
            if (first)
            {
                first = false;
                continue;
            }

            var line = reply.Text.AsSpan(range).Trim();
            if (line.IsEmpty)
            {
                continue;
            }

            int space = line.IndexOf(' ');
            string keyword = (space < 0 ? line : line[..space]).ToString().ToUpperInvariant();
            string parameters = space < 0 ? string.Empty : line[(space + 1)..].Trim().ToString();

            // RFC 4954 §3 allows repeated AUTH lines; some old servers also announce "AUTH=..." lines.
            if (keyword.StartsWith("AUTH=", StringComparison.Ordinal))
            {
                parameters = (keyword[5..] + " " + parameters).Trim();
                keyword = "AUTH";
            }

            keywords[keyword] = keywords.TryGetValue(keyword, out string? earlier) && keyword == "AUTH"
                ? earlier + " " + parameters
                : parameters;
        }

        return new SmtpCapabilities(true, keywords);
    }
}
