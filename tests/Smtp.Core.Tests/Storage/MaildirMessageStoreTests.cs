using System.IO.Pipelines;
using System.Text;
using Smtp.Core.Server;
using Smtp.Core.Storage;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Storage;

public sealed class MaildirMessageStoreTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "smtp-core-maildir-" + Guid.NewGuid().ToString("N"));
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Test]
    public void Creating_the_store_creates_tmp_new_and_cur()
    {
        var store = new MaildirMessageStore(_root);
        Assert.That(Directory.Exists(Path.Combine(_root, "tmp")), Is.True);
        Assert.That(Directory.Exists(Path.Combine(_root, "new")), Is.True);
        Assert.That(Directory.Exists(Path.Combine(_root, "cur")), Is.True);
        Assert.That(store.Directory, Is.EqualTo(Path.GetFullPath(_root)));
    }

    [Test]
    public void The_new_directory_is_synced_on_unix_and_a_missing_one_is_an_error()
    {
        _ = new MaildirMessageStore(_root);
        if (OperatingSystem.IsWindows())
        {
            Assert.That(DirectorySync.Flush(Path.Combine(_root, "new")), Is.False);
            return;
        }

        Assert.That(DirectorySync.Flush(Path.Combine(_root, "new")), Is.True);
        Assert.That(() => DirectorySync.Flush(Path.Combine(_root, "missing")), Throws.InstanceOf<IOException>());
    }

    [Test]
    public async Task A_message_lands_in_new_byte_for_byte_and_tmp_is_empty()
    {
        await using var h = new SessionHarness(o => o.MessageStore = new MaildirMessageStore(_root));
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            C: RCPT TO:<d@e.f>
            C: DATA
            S: 250
            S: 250
            S: 354
            C: Subject: maildir
            C:
            C: ..dot
            C: .
            S: 250 2.0.0 Ok: queued as
            """);
        string file = Directory.GetFiles(Path.Combine(_root, "new")).Single();
        Assert.That(await File.ReadAllTextAsync(file), Is.EqualTo("Subject: maildir\r\n\r\n.dot\r\n"));
        Assert.That(Directory.GetFiles(Path.Combine(_root, "tmp")), Is.Empty);
        Assert.That(Path.GetFileName(file), Does.Not.Contain("/").And.Not.Contain(":"));
    }

    [Test]
    public async Task The_file_is_written_in_tmp_and_appears_in_new_only_when_complete()
    {
        var store = new MaildirMessageStore(_root);
        var body = new Pipe();
        var save = store.SaveAsync(new SmtpSessionContext("s1", null, null, false), TestEnvelope(), body.Reader, CancellationToken.None).AsTask();
        await body.Writer.WriteAsync(Encoding.ASCII.GetBytes("first half\r\n"));
        await SpinUntilAsync(() => Directory.GetFiles(Path.Combine(_root, "tmp")).Length == 1);
        Assert.That(Directory.GetFiles(Path.Combine(_root, "new")), Is.Empty);
        await body.Writer.WriteAsync(Encoding.ASCII.GetBytes("second half\r\n"));
        await body.Writer.CompleteAsync();
        SmtpResult result = await save;
        Assert.That(result.IsAccepted, Is.True);
        Assert.That(Directory.GetFiles(Path.Combine(_root, "tmp")), Is.Empty);
        Assert.That(await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(_root, "new")).Single()), Is.EqualTo("first half\r\nsecond half\r\n"));
    }

    [Test]
    public async Task A_failed_body_deletes_the_tmp_file_and_leaves_nothing_in_new()
    {
        var store = new MaildirMessageStore(_root);
        var body = new Pipe();
        var save = store.SaveAsync(new SmtpSessionContext("s1", null, null, false), TestEnvelope(), body.Reader, CancellationToken.None).AsTask();
        await body.Writer.WriteAsync(Encoding.ASCII.GetBytes("partial"));
        await SpinUntilAsync(() => Directory.GetFiles(Path.Combine(_root, "tmp")).Length == 1);
        await body.Writer.CompleteAsync(new EndOfStreamException("dropped"));
        Assert.ThrowsAsync<EndOfStreamException>(() => save);
        Assert.That(Directory.GetFiles(Path.Combine(_root, "tmp")), Is.Empty);
        Assert.That(Directory.GetFiles(Path.Combine(_root, "new")), Is.Empty);
    }

    [Test]
    public async Task A_connection_dropped_mid_data_leaves_nothing_in_new_or_tmp()
    {
        var h = new SessionHarness(o => o.MessageStore = new MaildirMessageStore(_root));
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            C: RCPT TO:<d@e.f>
            C: DATA
            S: 250
            S: 250
            S: 354
            C: Subject: never finished
            """);
        await h.CloseAsync();
        await h.Session.WaitAsync(TimeSpan.FromSeconds(10));
        await h.DisposeAsync();
        Assert.That(Directory.GetFiles(Path.Combine(_root, "new")), Is.Empty);
        Assert.That(Directory.GetFiles(Path.Combine(_root, "tmp")), Is.Empty);
    }

    [Test]
    public async Task A_message_over_the_size_limit_leaves_nothing_behind()
    {
        await using var h = new SessionHarness(o =>
        {
            o.MessageStore = new MaildirMessageStore(_root);
            o.MaxMessageSize = 10;
        });
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            C: RCPT TO:<d@e.f>
            C: DATA
            S: 250
            S: 250
            S: 354
            C: this line is longer than ten octets
            C: .
            S: 552 5.3.4
            """);
        Assert.That(Directory.GetFiles(Path.Combine(_root, "new")), Is.Empty);
        Assert.That(Directory.GetFiles(Path.Combine(_root, "tmp")), Is.Empty);
    }

    [Test]
    public async Task Concurrent_messages_get_distinct_file_names()
    {
        var store = new MaildirMessageStore(_root);
        var saves = Enumerable.Range(0, 20).Select(async i =>
        {
            var body = new Pipe();
            var save = store.SaveAsync(new SmtpSessionContext("s" + i, null, null, false), TestEnvelope(), body.Reader, CancellationToken.None);
            await body.Writer.WriteAsync(Encoding.ASCII.GetBytes($"message {i}\r\n"));
            await body.Writer.CompleteAsync();
            return await save;
        }).ToArray();
        await Task.WhenAll(saves);
        var contents = Directory.GetFiles(Path.Combine(_root, "new")).Select(File.ReadAllText).Order().ToArray();
        Assert.That(contents, Is.EqualTo(Enumerable.Range(0, 20).Select(i => $"message {i}\r\n").Order().ToArray()));
    }

    internal static SmtpEnvelope TestEnvelope()
    {
        return new SmtpEnvelope("a@b.c", [new SmtpRecipient("d@e.f")]);
    }

    private static async Task SpinUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "condition not reached");
            await Task.Delay(5);
        }
    }
}
