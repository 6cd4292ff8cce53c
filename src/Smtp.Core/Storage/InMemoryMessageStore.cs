using System.Buffers;
using System.IO.Pipelines;
using Smtp.Core.Server;

namespace Smtp.Core.Storage;

/// <summary>
/// A store that keeps each message (envelope and body bytes) in memory, for tests and small embedded hosts.
/// It holds at most <see cref="Capacity"/> messages; when full it answers <c>452 4.3.1</c> until messages are taken.
/// </summary>
/// <remarks>Each body is bounded by the server's <see cref="SmtpServerOptions.MaxMessageSize"/>. Thread-safe.</remarks>
public sealed class InMemoryMessageStore : IMessageStore
{
    private readonly Lock _gate = new();
    private readonly List<StoredMessage> _messages = [];
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a store.</summary>
    /// <param name="capacity">How many messages it keeps at most. Default 1000.</param>
    /// <param name="timeProvider">The clock for <see cref="StoredMessage.ReceivedAt"/>; default <see cref="TimeProvider.System"/>.</param>
    public InMemoryMessageStore(int capacity = 1000, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How many messages the store keeps at most.</summary>
    public int Capacity { get; }

    /// <summary>How many messages the store holds.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count;
            }
        }
    }

    /// <summary>A snapshot of the stored messages, oldest first.</summary>
    public IReadOnlyList<StoredMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return _messages.ToArray();
            }
        }
    }

    /// <summary>Removes and returns every stored message.</summary>
    public IReadOnlyList<StoredMessage> TakeAll()
    {
        lock (_gate)
        {
            var all = _messages.ToArray();
            _messages.Clear();
            return all;
        }
    }

    /// <inheritdoc />
    public async ValueTask<SmtpResult> SaveAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(body);
        if (Count >= Capacity)
        {
            // RFC 3463 §3.4: 4.3.1 "mail system full"; the client may retry later.
            return SmtpResult.Reject(452, "4.3.1", "Insufficient system storage");
        }

        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            ReadResult read = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
            foreach (ReadOnlyMemory<byte> segment in read.Buffer)
            {
                buffer.Write(segment.Span);
            }

            body.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        var message = new StoredMessage(context.SessionId, context.ClientName, context.RemoteEndPoint, envelope, buffer.WrittenMemory.ToArray(), _timeProvider.GetUtcNow());
        lock (_gate)
        {
            if (_messages.Count >= Capacity)
            {
                return SmtpResult.Reject(452, "4.3.1", "Insufficient system storage");
            }

            _messages.Add(message);
        }

        return SmtpResult.Accept();
    }
}
