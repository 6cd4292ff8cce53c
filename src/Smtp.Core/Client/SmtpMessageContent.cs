using System.Buffers;
using System.IO.Pipelines;

namespace Smtp.Core.Client;

/// <summary>
/// The bytes of one RFC 5322 message (headers, blank line, body), read once while it is sent and never copied
/// whole: the client streams it through dot-stuffing for DATA or cuts it into chunks for BDAT.
/// </summary>
/// <remarks>
/// Content made from a sequence or a file can be sent any number of times (a file is opened afresh each time);
/// content made from a <see cref="Stream"/> or a <see cref="PipeReader"/> is consumed by the first send, and a second
/// send throws <see cref="InvalidOperationException"/>. The caller keeps ownership of streams and readers it passes
/// in unless it asks otherwise.
/// </remarks>
public sealed class SmtpMessageContent
{
    private readonly Func<PipeReader>? _open;
    private PipeReader? _once;
    private readonly bool _completeOnce;

    private SmtpMessageContent(Func<PipeReader>? open, PipeReader? once, bool completeOnce, long? length)
    {
        _open = open;
        _once = once;
        _completeOnce = completeOnce;
        Length = length;
    }

    /// <summary>The length in bytes when known before sending, which the client declares with SIZE.</summary>
    public long? Length { get; }

    /// <summary>Content held in memory; may be sent many times.</summary>
    public static SmtpMessageContent FromSequence(ReadOnlySequence<byte> message)
        => new(() => PipeReader.Create(message), null, false, message.Length);

    /// <summary>Content held in memory; may be sent many times.</summary>
    public static SmtpMessageContent FromBytes(ReadOnlyMemory<byte> message) => FromSequence(new ReadOnlySequence<byte>(message));

    /// <summary>Content read from a file, opened afresh (read-only, shared read) for each send.</summary>
    /// <param name="path">The file's path.</param>
    public static SmtpMessageContent FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException("The message file does not exist.", path);
        }

        string full = info.FullName;
        return new(
            () => PipeReader.Create(
                new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan),
                new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: false)),
            null,
            false,
            info.Length);
    }

    /// <summary>Content read once from a stream, from its current position to its end.</summary>
    /// <param name="stream">A readable stream.</param>
    /// <param name="leaveOpen">Whether the stream stays open after the send; by default it is disposed.</param>
    public static SmtpMessageContent FromStream(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(stream));
        }

        long? length = stream.CanSeek ? stream.Length - stream.Position : null;
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: leaveOpen));
        return new(null, reader, true, length);
    }

    /// <summary>Content read once from a pipe until it completes.</summary>
    /// <param name="reader">The reader; the client does not complete it, so the caller owns its lifetime.</param>
    /// <param name="length">The content's length when known, or <see langword="null"/>.</param>
    public static SmtpMessageContent FromPipeReader(PipeReader reader, long? length = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new(null, reader, false, length);
    }

    /// <summary>Whether <see cref="Open"/> would succeed: always for reusable content, once for a stream or pipe.</summary>
    internal bool CanOpen => _open is not null || Volatile.Read(ref _once) is not null;

    /// <summary>Opens the content for one send; the lease completes the reader when this owns it.</summary>
    internal Lease Open()
    {
        if (_open is not null)
        {
            return new Lease(_open(), true);
        }

        var once = Interlocked.Exchange(ref _once, null)
            ?? throw new InvalidOperationException("This message content was made from a stream or pipe and has already been sent.");
        return new Lease(once, _completeOnce);
    }

    /// <summary>One send's reader.</summary>
    internal readonly struct Lease(PipeReader reader, bool owned) : IAsyncDisposable
    {
        public PipeReader Reader { get; } = reader;

        public ValueTask DisposeAsync() => owned ? Reader.CompleteAsync() : ValueTask.CompletedTask;
    }
}
