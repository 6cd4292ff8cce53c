using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smtp.Core.Server;

namespace MailGateway;

/// <summary>
/// Writes each accepted message as <c>{id}.eml</c> with a <c>{id}.json</c> envelope beside it. The body streams to a
/// temporary file that is renamed only once complete and flushed, so a reader never sees half a message and the
/// client's 250 means the message is on disk.
/// </summary>
internal sealed partial class EmlFileStore(IOptions<GatewayOptions> options, SenderRateLimiter rates, TimeProvider time, ILogger<EmlFileStore> logger) : IMessageStore
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    public async ValueTask<SmtpResult> SaveAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
    {
        string directory = Path.GetFullPath(options.Value.MailDirectory);
        Directory.CreateDirectory(directory);
        DateTimeOffset received = time.GetUtcNow();
        string id = received.ToString("yyyyMMdd'T'HHmmssfff", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12];
        string temporary = Path.Combine(directory, id + ".tmp");
        long size = 0;
        try
        {
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
            await using (file.ConfigureAwait(false))
            {
                while (true)
                {
                    ReadResult read = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
                    foreach (ReadOnlyMemory<byte> segment in read.Buffer)
                    {
                        await file.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
                    }

                    size += read.Buffer.Length;
                    body.AdvanceTo(read.Buffer.End);
                    if (read.IsCompleted)
                    {
                        break;
                    }
                }

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            var sidecar = new EnvelopeRecord(
                id,
                received,
                context.SessionId,
                context.RemoteEndPoint?.ToString(),
                context.ClientName,
                context.IsSecure,
                context.AuthenticatedIdentity,
                envelope.From,
                [.. envelope.Recipients.Select(r => r.Address)],
                size);
            await File.WriteAllBytesAsync(Path.Combine(directory, id + ".json"), JsonSerializer.SerializeToUtf8Bytes(sidecar, s_json), cancellationToken).ConfigureAwait(false);
            File.Move(temporary, Path.Combine(directory, id + ".eml"));
        }
        catch
        {
            // The server answers 451 4.3.0 for a store exception (or its own reply if the body was invalid).
            File.Delete(temporary);
            File.Delete(Path.Combine(directory, id + ".json"));
            throw;
        }

        rates.Record(envelope.From);
        Stored(logger, id, envelope.From, envelope.Recipients.Count, size);
        return SmtpResult.Accept("2.0.0", "Queued as " + id);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored {Id} from <{From}> for {Recipients} recipient(s), {Size} bytes")]
    private static partial void Stored(ILogger logger, string id, string from, int recipients, long size);

    /// <summary>The JSON sidecar.</summary>
    internal sealed record EnvelopeRecord(
        string Id,
        DateTimeOffset Received,
        string SessionId,
        string? Client,
        string? ClientName,
        bool Secure,
        string? AuthenticatedAs,
        string From,
        IReadOnlyList<string> Recipients,
        long Size);
}
