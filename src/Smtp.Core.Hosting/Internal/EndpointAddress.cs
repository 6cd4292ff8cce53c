using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Smtp.Core.Hosting.Internal;

/// <summary>Parses the endpoint strings of the configuration (<c>127.0.0.1:2525</c>, <c>[::]:25</c>, <c>*:25</c>, <c>localhost:2525</c>).</summary>
internal static class EndpointAddress
{
    public static bool TryParse(string? text, [NotNullWhen(true)] out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        int colon = text.LastIndexOf(':');
        if (colon > 0 && !text.EndsWith(']'))
        {
            string host = text[..colon];
            string portText = text[(colon + 1)..];
            IPAddress? wildcard = host switch
            {
                "*" or "+" => IPAddress.IPv6Any,
                _ when host.Equals("localhost", StringComparison.OrdinalIgnoreCase) => IPAddress.Loopback,
                _ => null,
            };
            if (wildcard is not null)
            {
                if (!TryParsePort(portText, out int port))
                {
                    return false;
                }

                endPoint = new IPEndPoint(wildcard, port);
                return true;
            }
        }

        // IPEndPoint.TryParse accepts a missing port (port 0): a listening address needs an explicit one.
        if (!IPEndPoint.TryParse(text, out IPEndPoint? parsed) || !HasExplicitPort(text))
        {
            return false;
        }

        endPoint = parsed;
        return true;
    }

    private static bool HasExplicitPort(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        // "::1" has colons but no port; an IPv6 address with a port is bracketed: "[::1]:25".
        bool bracketed = text.StartsWith('[');
        bool ipv6 = text.IndexOf(':') != colon;
        return (!ipv6 || (bracketed && text[colon - 1] == ']')) && TryParsePort(text[(colon + 1)..], out _);
    }

    private static bool TryParsePort(string text, out int port)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 0 and <= 65535;
}
