using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Smtp.Core.Server;

namespace Smtp.Core.Hosting.Tests.Support;

/// <summary>A scoped store that reads the whole body and records it with the session's probe.</summary>
internal sealed class RecordingStore(SessionProbe probe, MessageSink sink) : IMessageStore
{
    public async ValueTask<SmtpResult> SaveAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
    {
        Assert.That(probe.IsDisposed, Is.False, "the session's scope was disposed while the session still ran");
        var bytes = new ArrayBufferWriter<byte>();
        while (true)
        {
            ReadResult read = await body.ReadAsync(cancellationToken);
            foreach (ReadOnlyMemory<byte> segment in read.Buffer)
            {
                bytes.Write(segment.Span);
            }

            body.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        sink.Messages.Enqueue(new ReceivedMessage(
            context.SessionId,
            probe.Id,
            envelope.From,
            [.. envelope.Recipients.Select(r => r.Address)],
            Encoding.UTF8.GetString(bytes.WrittenSpan),
            context.IsSecure,
            context.AuthenticatedIdentity,
            context.ClientName));
        return SmtpResult.Accept();
    }
}
