using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace MailGateway;

/// <summary>
/// Greylisting: the first delivery attempt of an unknown (client address, sender, recipient) triple is answered
/// 450 4.7.1; a retry after <see cref="GatewayOptions.GreylistDelay"/> is accepted and the triple remembered. Real MTAs
/// retry (RFC 5321 §4.5.4.1), many spam engines do not. A singleton shared by all sessions.
/// </summary>
internal sealed class Greylist(IOptions<GatewayOptions> options, TimeProvider time)
{
    // Bounded: a flood of made-up senders must not grow the table without end.
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<(string Network, string Sender, string Recipient), Entry> _entries = new();

    /// <summary>Whether the triple may deliver now; <paramref name="wait"/> says how long it still has to wait.</summary>
    public bool Check(IPAddress? client, string sender, string recipient, out TimeSpan wait)
    {
        GatewayOptions o = options.Value;
        wait = TimeSpan.Zero;
        if (o.GreylistDelay <= TimeSpan.Zero)
        {
            return true;
        }

        DateTimeOffset now = time.GetUtcNow();
        var key = (Network(client), sender.ToLowerInvariant(), recipient.ToLowerInvariant());
        if (_entries.TryGetValue(key, out Entry? entry))
        {
            if (entry.PassedAt is { } passed && now - passed < o.GreylistPassedLifetime)
            {
                return true;
            }

            if (entry.PassedAt is null && now - entry.FirstSeen < o.GreylistRetryWindow)
            {
                TimeSpan waited = now - entry.FirstSeen;
                if (waited >= o.GreylistDelay)
                {
                    _entries[key] = entry with { PassedAt = now };
                    return true;
                }

                wait = o.GreylistDelay - waited;
                return false;
            }
        }

        if (_entries.Count >= MaxEntries)
        {
            Prune(now, o);
        }

        _entries[key] = new Entry(now, null);
        wait = o.GreylistDelay;
        return false;
    }

    /// <summary>IPv4 clients by /24 and IPv6 by /64: big senders retry from another host of the same farm.</summary>
    private static string Network(IPAddress? address)
    {
        if (address is null)
        {
            return "-";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        byte[] bytes = address.GetAddressBytes();
        int keep = bytes.Length == 4 ? 3 : 8;
        return Convert.ToHexString(bytes, 0, keep);
    }

    private void Prune(DateTimeOffset now, GatewayOptions o)
    {
        foreach (var pair in _entries)
        {
            bool expired = pair.Value.PassedAt is { } passed
                ? now - passed >= o.GreylistPassedLifetime
                : now - pair.Value.FirstSeen >= o.GreylistRetryWindow;
            if (expired)
            {
                _entries.TryRemove(pair);
            }
        }
    }

    private sealed record Entry(DateTimeOffset FirstSeen, DateTimeOffset? PassedAt);
}
