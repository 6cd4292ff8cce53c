using System.Text;

namespace Smtp.Core.Tests.Support;

/// <summary>
/// Checks what a Maildir (tmp/, new/, cur/) holds after delivery: message files compared byte for byte,
/// with a readable diff, and no file left behind in tmp/.
/// </summary>
internal static class MaildirAssert
{
    /// <summary>
    /// Waits until DIR/new holds at least <paramref name="count"/> files (the server may still be
    /// renaming the last one when the client exits), then returns all of them, oldest name first.
    /// </summary>
    public static async Task<IReadOnlyList<string>> WaitForMessagesAsync(string maildir, int count, TimeSpan timeout)
    {
        var newDirectory = Path.Combine(maildir, "new");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var files = Directory.Exists(newDirectory) ? Directory.GetFiles(newDirectory) : [];
            if (files.Length >= count || DateTime.UtcNow > deadline)
            {
                Array.Sort(files, StringComparer.Ordinal);
                Assert.That(files, Has.Length.EqualTo(count), $"messages in {newDirectory}");
                return files;
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The one message DIR/new must hold, as bytes; tmp/ must be empty.</summary>
    public static async Task<byte[]> SingleMessageAsync(string maildir, TimeSpan timeout)
    {
        var files = await WaitForMessagesAsync(maildir, 1, timeout);
        AssertTmpEmpty(maildir);
        return await File.ReadAllBytesAsync(files[0]);
    }

    /// <summary>Asserts DIR/new holds one message, byte for byte <paramref name="expected"/>, and tmp/ is empty.</summary>
    public static async Task HoldsSingleAsync(string maildir, byte[] expected, TimeSpan timeout)
    {
        var actual = await SingleMessageAsync(maildir, timeout);
        AreEqual(expected, actual);
    }

    /// <summary>
    /// Asserts DIR/new holds exactly <paramref name="expected"/> (as a multiset: delivery order across
    /// sessions is not defined), each byte for byte, and tmp/ is empty.
    /// </summary>
    public static async Task HoldsExactlyAsync(string maildir, IReadOnlyList<byte[]> expected, TimeSpan timeout)
    {
        var files = await WaitForMessagesAsync(maildir, expected.Count, timeout);
        AssertTmpEmpty(maildir);
        var remaining = expected.ToList();
        foreach (var file in files)
        {
            var actual = await File.ReadAllBytesAsync(file);
            var index = remaining.FindIndex(e => e.AsSpan().SequenceEqual(actual));
            if (index < 0)
            {
                // Show the difference against the closest expected message, by length.
                var closest = remaining.OrderBy(e => Math.Abs(e.Length - actual.Length)).First();
                AreEqual(closest, actual, Path.GetFileName(file));
            }

            remaining.RemoveAt(index);
        }
    }

    /// <summary>Asserts two messages are identical, or fails showing the first difference with CR/LF visible.</summary>
    public static void AreEqual(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what = "message")
    {
        if (expected.SequenceEqual(actual))
        {
            return;
        }

        var offset = expected.CommonPrefixLength(actual);
        var from = Math.Max(0, offset - 40);
        Assert.Fail(
            $"{what} differs from what the client sent, first at byte {offset} (expected {expected.Length} bytes, stored {actual.Length}).\n"
            + $"  expected: ...{Visible(expected[from..Math.Min(expected.Length, offset + 40)])}...\n"
            + $"  stored:   ...{Visible(actual[from..Math.Min(actual.Length, offset + 40)])}...\n"
            + $"--- stored (whole, up to 2000 bytes) ---\n{Visible(actual[..Math.Min(actual.Length, 2000)])}");
    }

    /// <summary>Asserts DIR/tmp holds nothing: every delivery was renamed into new/.</summary>
    public static void AssertTmpEmpty(string maildir)
    {
        var tmp = Path.Combine(maildir, "tmp");
        Assert.That(Directory.Exists(tmp) ? Directory.GetFiles(tmp) : [], Is.Empty, $"files left in {tmp}");
    }

    /// <summary>Bytes as text with CR, LF, TAB and other control or non-ASCII bytes escaped.</summary>
    public static string Visible(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder(bytes.Length + 16);
        foreach (var b in bytes)
        {
            _ = b switch
            {
                (byte)'\r' => builder.Append("\\r"),
                (byte)'\n' => builder.Append("\\n\n"),
                (byte)'\t' => builder.Append("\\t"),
                (byte)'\\' => builder.Append("\\\\"),
                < 0x20 or >= 0x7F => builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{b:X2}"),
                _ => builder.Append((char)b),
            };
        }

        return builder.ToString();
    }
}
