using System.Collections.Concurrent;

namespace Smtp.Core.Hosting.Tests.Support;

/// <summary>A singleton the scoped test handlers record into.</summary>
internal sealed class MessageSink
{
    public ConcurrentQueue<ReceivedMessage> Messages { get; } = new();

    public ConcurrentQueue<SessionProbe> Probes { get; } = new();

    /// <summary>(session id, probe id) of every mailbox filter call.</summary>
    public ConcurrentQueue<(string SessionId, int ProbeId)> FilterCalls { get; } = new();
}

/// <summary>One message as the recording store saw it.</summary>
internal sealed record ReceivedMessage(string SessionId, int ProbeId, string? From, IReadOnlyList<string> Recipients, string Body, bool IsSecure, string? Identity, string? ClientName);
