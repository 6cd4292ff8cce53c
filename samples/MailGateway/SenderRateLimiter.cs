using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace MailGateway;

/// <summary>Counts the messages accepted per sender over a sliding hour. A singleton shared by all sessions.</summary>
internal sealed class SenderRateLimiter(IOptions<GatewayOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _accepted = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="sender"/> is still below its hourly limit.</summary>
    public bool MaySend(string sender)
    {
        int limit = options.Value.MaxMessagesPerSenderPerHour;
        if (limit <= 0 || !_accepted.TryGetValue(sender, out Queue<DateTimeOffset>? times))
        {
            return true;
        }

        lock (times)
        {
            Expire(times);
            return times.Count < limit;
        }
    }

    /// <summary>Counts one accepted message of <paramref name="sender"/>.</summary>
    public void Record(string sender)
    {
        Queue<DateTimeOffset> times = _accepted.GetOrAdd(sender, _ => new Queue<DateTimeOffset>());
        lock (times)
        {
            Expire(times);
            times.Enqueue(time.GetUtcNow());
        }
    }

    private void Expire(Queue<DateTimeOffset> times)
    {
        DateTimeOffset cutoff = time.GetUtcNow() - Window;
        while (times.TryPeek(out DateTimeOffset oldest) && oldest <= cutoff)
        {
            times.Dequeue();
        }
    }
}
