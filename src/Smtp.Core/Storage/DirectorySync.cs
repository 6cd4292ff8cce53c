using System.Runtime.InteropServices;

namespace Smtp.Core.Storage;

/// <summary>
/// Makes a directory entry durable: on Unix a rename is only on disk once its directory was fsync'ed (fsync(2):
/// "calling fsync() does not necessarily ensure that the entry in the directory containing the file has also
/// reached disk"). .NET offers no way to open a directory, so this calls libc directly.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY: the same value on every Unix; a directory opens read-only.

    /// <summary>fsyncs <paramref name="directory"/>; returns <see langword="false"/> where there is nothing to do (Windows).</summary>
    /// <exception cref="IOException">The directory could not be opened or synced.</exception>
    public static bool Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            // NTFS journals the rename itself; there is no directory handle to flush.
            return false;
        }

        int fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory {directory} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }

        return true;
    }

    // DllImport rather than LibraryImport: the generator needs AllowUnsafeBlocks, which this library keeps off. The
    // marshalling here (a UTF-8 string, ints) is precompiled by Native AOT, so it stays AOT-safe.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
