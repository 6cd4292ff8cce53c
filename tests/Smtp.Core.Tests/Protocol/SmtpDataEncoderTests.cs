using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Smtp.Core.Protocol;

namespace Smtp.Core.Tests.Protocol;

public class SmtpDataEncoderTests
{
    private static string Encode(params string[] pieces)
    {
        var encoder = new SmtpDataEncoder();
        var output = new ArrayBufferWriter<byte>();
        foreach (string piece in pieces)
        {
            encoder.Encode(Encoding.Latin1.GetBytes(piece), output);
        }

        encoder.Complete(output);
        return Encoding.Latin1.GetString(output.WrittenSpan);
    }

    /// <summary>Encodes the body whole and split at every offset; all must agree.</summary>
    private static void AssertEncodes(string body, string expected)
    {
        Assert.That(Encode(body), Is.EqualTo(expected), "whole");
        for (int i = 0; i <= body.Length; i++)
        {
            Assert.That(Encode(body[..i], body[i..]), Is.EqualTo(expected), $"split@{i}");
        }

        Assert.That(Encode(body.Select(c => c.ToString()).ToArray()), Is.EqualTo(expected), "bytewise");
    }

    [Test]
    public void Leading_dots_are_doubled_on_every_line_including_the_first()
        => AssertEncodes(".a\r\nb.\r\n.\r\n..c\r\n", "..a\r\nb.\r\n..\r\n...c\r\n.\r\n");

    [Test]
    public void Body_without_final_crlf_gets_one_before_the_terminator()
        => AssertEncodes("abc", "abc\r\n.\r\n");

    [Test]
    public void Empty_body_is_just_the_terminator()
        => AssertEncodes(string.Empty, ".\r\n");

    [Test]
    public void Bare_lf_and_bare_cr_become_crlf_so_no_smuggling_ambiguity_is_emitted()
        => AssertEncodes("a\n.\nb\r.\rc\r\n\n\r", "a\r\n..\r\nb\r\n..\r\nc\r\n\r\n\r\n.\r\n");

    [Test]
    public void Body_ending_in_bare_cr_is_terminated_once()
        => AssertEncodes("a\r", "a\r\n.\r\n");

    [Test]
    public void Encoder_is_reusable_after_complete()
    {
        var encoder = new SmtpDataEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode("x"u8, output);
        encoder.Complete(output);
        encoder.Encode(".y\r\n"u8, output);
        encoder.Complete(output);
        Assert.That(Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo("x\r\n.\r\n..y\r\n.\r\n"));
    }

    [Test]
    public async Task Stream_pump_writes_a_stuffed_terminated_body_larger_than_one_flush()
    {
        byte[] body = BuildBody(300_000);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        await SmtpDataEncoder.WriteDataAsync(new MemoryStream(body), pipe.Writer, CancellationToken.None);
        await pipe.Writer.CompleteAsync();
        byte[] wire = await ReadAll(pipe.Reader);
        Assert.That(wire, Is.EqualTo(ExpectedWire(body)));
    }

    [Test]
    public async Task Pipe_pump_writes_a_stuffed_terminated_body()
    {
        byte[] body = BuildBody(200_000);
        var source = new Pipe();
        var destination = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        Task producer = Task.Run(async () =>
        {
            for (int i = 0; i < body.Length; i += 7000)
            {
                await source.Writer.WriteAsync(body.AsMemory(i, Math.Min(7000, body.Length - i)));
            }

            await source.Writer.CompleteAsync();
        });
        await SmtpDataEncoder.WriteDataAsync(source.Reader, destination.Writer, CancellationToken.None);
        await producer;
        await destination.Writer.CompleteAsync();
        Assert.That(await ReadAll(destination.Reader), Is.EqualTo(ExpectedWire(body)));
    }

    [Test]
    public void Stream_pump_reports_a_closed_connection()
    {
        var pipe = new Pipe();
        pipe.Reader.Complete();
        Assert.That(async () => await SmtpDataEncoder.WriteDataAsync(new MemoryStream(BuildBody(1000)), pipe.Writer, CancellationToken.None), Throws.InstanceOf<IOException>());
    }

    private static byte[] BuildBody(int size)
    {
        var sb = new StringBuilder();
        int n = 0;
        while (sb.Length < size)
        {
            sb.Append(n % 5 == 0 ? ".dot line " : "line ").Append(n++).Append(' ', 60).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    private static byte[] ExpectedWire(byte[] body)
    {
        string text = Encoding.ASCII.GetString(body);
        string stuffed = string.Join("\r\n", text.Split("\r\n").Select(l => l.StartsWith('.') ? "." + l : l));
        return Encoding.ASCII.GetBytes(stuffed + ".\r\n");
    }

    private static async Task<byte[]> ReadAll(PipeReader reader)
    {
        var all = new MemoryStream();
        while (true)
        {
            ReadResult r = await reader.ReadAsync();
            foreach (ReadOnlyMemory<byte> m in r.Buffer)
            {
                all.Write(m.Span);
            }

            reader.AdvanceTo(r.Buffer.End);
            if (r.IsCompleted)
            {
                return all.ToArray();
            }
        }
    }
}
