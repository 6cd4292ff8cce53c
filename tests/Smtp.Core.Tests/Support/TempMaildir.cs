namespace Smtp.Core.Tests.Support;

/// <summary>A fresh Maildir (tmp/, new/, cur/) under the system temp folder, deleted on dispose.</summary>
internal sealed class TempMaildir : IDisposable
{
    public TempMaildir()
    {
        Path = Directory.CreateTempSubdirectory("smtp-core-maildir-").FullName;
        foreach (var sub in new[] { "tmp", "new", "cur" })
        {
            Directory.CreateDirectory(System.IO.Path.Combine(Path, sub));
        }
    }

    /// <summary>The Maildir root.</summary>
    public string Path { get; }

    /// <summary>DIR/new, where delivered messages land.</summary>
    public string New => System.IO.Path.Combine(Path, "new");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A server still shutting down may hold a file; the temp folder is cleaned by the system.
        }
    }
}
