using System.IO.Pipelines;

namespace Smtp.Core.Server;

/// <summary>
/// A duplex pipe over a <see cref="Stream"/> (a socket's <see cref="System.Net.Sockets.NetworkStream"/>, or an
/// <see cref="System.Net.Security.SslStream"/> after a TLS upgrade) that remembers the stream, so that STARTTLS
/// can wrap the stream itself instead of the pipe.
/// </summary>
internal sealed class StreamTransport : IDuplexPipe
{
    public StreamTransport(Stream stream)
    {
        Stream = stream;

        // Small buffers and no read-ahead beyond what the session asks for: memory per connection stays bounded by
        // the line limit and the buffer size, whatever the client sends.
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 4096, leaveOpen: true));
    }

    public Stream Stream { get; }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }
}
