using System.IO.Pipelines;

namespace Smtp.Core.Hosting.Internal;

/// <summary>A socket's stream seen as the duplex pipe the core's sessions run over.</summary>
internal sealed class StreamDuplexPipe(Stream stream) : IDuplexPipe
{
    // Small buffers, as the core's own listener uses: memory per connection stays bounded whatever the client sends.
    public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true));

    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 4096, leaveOpen: true));
}
