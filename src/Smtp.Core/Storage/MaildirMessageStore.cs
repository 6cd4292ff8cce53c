using System.Globalization;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Smtp.Core.Server;

namespace Smtp.Core.Storage;

/// <summary>
/// A store that delivers each message into a Maildir: written to <c>tmp/</c>, flushed to disk, then renamed
/// into <c>new/</c>.
/// </summary>
/// <remarks>
/// <para>
/// The file holds exactly the body bytes the client sent (after dot-unstuffing): no Return-Path or Received
/// header is added, so what a reader finds in <c>new/</c> is byte for byte the message. Hosts that want trace
/// headers can add them in their own store.
/// </para>
/// <para>
/// <see cref="SaveAsync"/> completes only after the file was flushed with <see cref="FileStream.Flush(bool)"/>
/// (fsync), renamed and the <c>new/</c> directory synced (on Unix), and the server sends its 250 only after that, so an acknowledged message survives a
/// crash. A body that does not complete (dropped connection, size limit, deadline) leaves nothing behind: the
/// temporary file is deleted and nothing appears in <c>new/</c>.
/// </para>
/// </remarks>
public sealed class MaildirMessageStore : IMessageStore
{
    private static readonly string s_host = SanitizeHost(Environment.MachineName);
    private static long s_sequence;

    /// <summary>Creates the store and the <c>tmp</c>, <c>new</c> and <c>cur</c> folders if missing.</summary>
    /// <param name="directory">The Maildir's root folder.</param>
    public MaildirMessageStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "tmp"));
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "new"));
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "cur"));
    }

    /// <summary>The Maildir's root folder (absolute).</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public async ValueTask<SmtpResult> SaveAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        string name = UniqueName();
        string tmpPath = Path.Combine(Directory, "tmp", name);
        string newPath = Path.Combine(Directory, "new", name);
        bool delivered = false;
        try
        {
            var stream = new FileStream(tmpPath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
                BufferSize = 0,
            });
            await using (stream.ConfigureAwait(false))
            {
                await body.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);

                // Maildir: the file must be on disk before it becomes visible in new/. An fsync blocks for
                // milliseconds, so it runs on the thread pool, never on the thread that serves the session's socket
                // (with inline socket completions, that thread serves other sessions too); the rename and the
                // directory sync below then run on that pool thread as well.
                await Task.Run(() => stream.Flush(flushToDisk: true), CancellationToken.None).ConfigureAwait(false);
            }

            File.Move(tmpPath, newPath, overwrite: false);
            delivered = true;

            // The rename is durable only once new/ itself is on disk: sync it before the 250 is sent.
            DirectorySync.Flush(Path.Combine(Directory, "new"));
            return SmtpResult.Accept("2.0.0", "Ok: queued as " + name);
        }
        finally
        {
            if (!delivered)
            {
                TryDelete(tmpPath);
            }
        }
    }

    // Maildir naming (cr.yp.to/proto/maildir.html): time, then a part unique on this host, then the host.
    private static string UniqueName()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long sequence = Interlocked.Increment(ref s_sequence);
        uint random = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
        return string.Create(CultureInfo.InvariantCulture, $"{now / 1000}.M{now % 1000 * 1000}P{Environment.ProcessId}Q{sequence}R{random:x8}.{s_host}");
    }

    // The host part must not contain '/' or ':' (the latter separates flags in cur/).
    private static string SanitizeHost(string host)
        => host.Replace("/", "\\057", StringComparison.Ordinal).Replace(":", "\\072", StringComparison.Ordinal);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Nothing else to do: the file is in tmp/, which readers ignore and cleaners empty.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
