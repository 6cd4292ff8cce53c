using System.Buffers;
using System.Text;
using Smtp.Core.Protocol;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Protocol;

/// <summary>Frames and parses one command line in every segment shape and describes the result as text.</summary>
internal static class ParserHarness
{
    /// <summary>
    /// Parses <paramref name="line"/> + CRLF in every shape, asserts that all shapes agree and that the whole
    /// line was consumed, and returns "reason:X" or a description of the command.
    /// </summary>
    public static string Parse(string line, SmtpParseOptions options = SmtpParseOptions.None)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(line + "\r\n");
        string? first = null;
        Span<byte> scratch = stackalloc byte[SmtpLineFramer.DefaultMaxLineLength];
        foreach (var (shape, sequence) in Segments.AllShapes(bytes))
        {
            var framer = new SmtpLineFramer();
            var reader = new SequenceReader<byte>(sequence);
            Assert.That(framer.TryReadLine(ref reader, out var framed), Is.EqualTo(SmtpLineStatus.Line), shape);
            Assert.That(reader.Consumed, Is.EqualTo(bytes.Length), shape);
            SmtpReason reason = SmtpCommandParser.Parse(framed, scratch, options, out var command);
            string description = reason == SmtpReason.None ? Describe(command) : "reason:" + reason;
            if (first is null)
            {
                first = description;
            }
            else
            {
                Assert.That(description, Is.EqualTo(first), shape);
            }
        }

        return first!;
    }

    /// <summary>The reason alone.</summary>
    public static SmtpReason Reason(string line, SmtpParseOptions options = SmtpParseOptions.None)
    {
        string result = Parse(line, options);
        return result.StartsWith("reason:", StringComparison.Ordinal)
            ? Enum.Parse<SmtpReason>(result["reason:".Length..])
            : SmtpReason.None;
    }

    public static string Describe(SmtpCommand c)
    {
        var b = new StringBuilder(c.Verb.ToString());
        void Add(string name, ReadOnlySpan<byte> value)
        {
            if (!value.IsEmpty)
            {
                b.Append(' ').Append(name).Append('=').Append(Encoding.UTF8.GetString(value));
            }
        }

        switch (c.Verb)
        {
            case SmtpVerb.Helo or SmtpVerb.Ehlo or SmtpVerb.Lhlo:
                Add("domain", c.Domain);
                break;
            case SmtpVerb.Mail or SmtpVerb.Rcpt:
                SmtpPath p = c.Path;
                b.Append(" path=").Append(Encoding.UTF8.GetString(p.Raw));
                if (p.IsNull)
                {
                    b.Append(" null");
                }

                if (p.IsPostmaster)
                {
                    b.Append(" postmaster");
                }

                Add("route", p.SourceRoute);
                Add("local", p.LocalPart);
                Add("domain", p.Domain);
                if (p.IsAddressLiteral)
                {
                    b.Append(" literal");
                }

                if (p.HasNonAscii)
                {
                    b.Append(" utf8addr");
                }

                break;
            case SmtpVerb.Bdat:
                b.Append(" size=").Append(c.ChunkSize);
                if (c.IsLastChunk)
                {
                    b.Append(" last");
                }

                break;
            case SmtpVerb.Auth:
                Add("mech", c.AuthMechanism);
                Add("ir", c.InitialResponse);
                break;
            default:
                Add("arg", c.Argument);
                break;
        }

        if (c.Size is long size)
        {
            b.Append(" SIZE=").Append(size);
        }

        if (c.Body != SmtpBodyType.None)
        {
            b.Append(" BODY=").Append(c.Body);
        }

        if (c.SmtpUtf8)
        {
            b.Append(" SMTPUTF8");
        }

        if (c.Return != SmtpDsnReturn.None)
        {
            b.Append(" RET=").Append(c.Return);
        }

        Add("ENVID", c.EnvelopeId);
        Add("AUTH", c.AuthParameter);
        if (c.RequireTls)
        {
            b.Append(" REQUIRETLS");
        }

        if (c.Notify != SmtpDsnNotify.None)
        {
            b.Append(" NOTIFY=").Append(c.Notify.ToString().Replace(" ", "", StringComparison.Ordinal));
        }

        Add("ORCPT", c.OriginalRecipient);
        return b.ToString();
    }
}
