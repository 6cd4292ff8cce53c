using System.IO.Pipelines;
using Smtp.Core.Server;

namespace Smtp.Core.Storage;

/// <summary>A store that reads every body to its end and keeps nothing (for tests, benchmarks and sinks).</summary>
public sealed class DiscardMessageStore : IMessageStore
{
    private long _messages;
    private long _bytes;

    /// <summary>How many messages were accepted and dropped.</summary>
    public long MessageCount => Interlocked.Read(ref _messages);

    /// <summary>How many body bytes were read and dropped.</summary>
    public long ByteCount => Interlocked.Read(ref _bytes);

    /// <inheritdoc />
    public async ValueTask<SmtpResult> SaveAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        long length = 0;
        while (true)
        {
            ReadResult read = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
            length += read.Buffer.Length;
            body.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        Interlocked.Increment(ref _messages);
        Interlocked.Add(ref _bytes, length);
        return SmtpResult.Accept();
    }
}
