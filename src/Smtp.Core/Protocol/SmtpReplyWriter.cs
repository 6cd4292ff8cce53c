using System.Buffers;

namespace Smtp.Core.Protocol;

/// <summary>
/// Writes SMTP replies (RFC 5321 §4.2) into an <see cref="IBufferWriter{T}"/> (server side), without allocating.
/// </summary>
/// <remarks>
/// <para>
/// Caller text that would break the framing is a programming error: every method validates all of its input
/// first and throws <see cref="ArgumentException"/> without writing anything when a line contains CR or NUL
/// (LF separates lines of a multi-line reply), when the code is not 200 to 599, or when the enhanced code is
/// not <c>class.subject.detail</c> (RFC 3463 §2) with a class of 2, 4 or 5 equal to the code's first digit.
/// <see cref="IsValid"/> checks a reply without throwing.
/// </para>
/// <para>Nothing is flushed: the caller flushes once per batch of pipelined replies (RFC 2920 §3.1).</para>
/// </remarks>
public static class SmtpReplyWriter
{
    /// <summary>
    /// Writes <paramref name="reply"/>. Each line of its text (split at <c>\n</c>) becomes one reply line,
    /// <c>NNN-</c> on all but the last and <c>NNN </c> on the last, each carrying the enhanced code
    /// (RFC 2034 §3). An empty single line is written as the bare code (<c>NNN</c> or <c>NNN x.y.z</c>).
    /// </summary>
    /// <param name="output">Receives the reply.</param>
    /// <param name="reply">The reply.</param>
    /// <exception cref="ArgumentException">The reply is invalid (see the remarks of <see cref="SmtpReplyWriter"/>).</exception>
    public static void Write(IBufferWriter<byte> output, in SmtpReply reply)
    {
        ArgumentNullException.ThrowIfNull(output);
        string? error = Validate(reply);
        if (error is not null)
        {
            throw new ArgumentException(error, nameof(reply));
        }

        var writer = new ProtocolBufferWriter(output, 128 + (reply.Text?.Length ?? 0));
        ReadOnlySpan<char> text = reply.Text;
        while (true)
        {
            int lf = text.IndexOf('\n');
            ReadOnlySpan<char> line = lf < 0 ? text : text[..lf];
            writer.Write((byte)('0' + (reply.Code / 100)));
            writer.Write((byte)('0' + (reply.Code / 10 % 10)));
            writer.Write((byte)('0' + (reply.Code % 10)));
            if (lf >= 0)
            {
                writer.Write((byte)'-');
            }
            else if (reply.EnhancedCode is null && line.IsEmpty)
            {
                // RFC 5321 §4.2: Reply-code [ SP textstring ] CRLF.
                writer.Write("\r\n"u8);
                break;
            }
            else
            {
                writer.Write((byte)' ');
            }

            if (reply.EnhancedCode is not null)
            {
                writer.WriteUtf8(reply.EnhancedCode);
                if (!line.IsEmpty)
                {
                    writer.Write((byte)' ');
                }
            }

            writer.WriteUtf8(line);
            writer.Write("\r\n"u8);
            if (lf < 0)
            {
                break;
            }

            text = text[(lf + 1)..];
        }

        writer.Commit();
    }

    /// <summary>
    /// Writes a successful EHLO reply (RFC 5321 §4.1.1.1): <c>250-domain greeting</c> (or <c>250 domain greeting</c>
    /// when there are no keywords), then one line per keyword; keyword lines carry no enhanced code
    /// (RFC 2034 §3).
    /// </summary>
    /// <param name="output">Receives the reply.</param>
    /// <param name="domain">The server's domain.</param>
    /// <param name="greeting">Optional text after the domain, or <see langword="null"/>.</param>
    /// <param name="keywords">Extension lines such as <c>PIPELINING</c> or <c>SIZE 10485760</c>.</param>
    /// <exception cref="ArgumentException">A value is empty where it must not be or contains CR, LF or NUL.</exception>
    public static void WriteEhlo(IBufferWriter<byte> output, string domain, string? greeting, params ReadOnlySpan<string> keywords)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentException.ThrowIfNullOrEmpty(domain);
        ThrowIfBreaksLine(domain, nameof(domain));
        ThrowIfBreaksLine(greeting, nameof(greeting));
        int size = 16 + domain.Length + (greeting?.Length ?? 0);
        foreach (string keyword in keywords)
        {
            ArgumentException.ThrowIfNullOrEmpty(keyword, nameof(keywords));
            ThrowIfBreaksLine(keyword, nameof(keywords));
            size += 6 + keyword.Length;
        }

        var writer = new ProtocolBufferWriter(output, Math.Min(size * 3, 16 * 1024));
        writer.Write(keywords.IsEmpty ? "250 "u8 : "250-"u8);
        writer.WriteUtf8(domain);
        if (!string.IsNullOrEmpty(greeting))
        {
            writer.Write((byte)' ');
            writer.WriteUtf8(greeting);
        }

        writer.Write("\r\n"u8);
        for (int i = 0; i < keywords.Length; i++)
        {
            writer.Write(i == keywords.Length - 1 ? "250 "u8 : "250-"u8);
            writer.WriteUtf8(keywords[i]);
            writer.Write("\r\n"u8);
        }

        writer.Commit();
    }

    /// <summary>Renders an EHLO reply once, for a server that sends the same one to every client.</summary>
    /// <param name="domain">The server's domain.</param>
    /// <param name="greeting">Optional text after the domain.</param>
    /// <param name="keywords">Extension lines.</param>
    /// <returns>The reply's bytes.</returns>
    /// <exception cref="ArgumentException">As <see cref="WriteEhlo"/>.</exception>
    public static byte[] RenderEhlo(string domain, string? greeting, params ReadOnlySpan<string> keywords)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteEhlo(buffer, domain, greeting, keywords);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Renders a reply once, for a reply sent often.</summary>
    /// <param name="reply">The reply.</param>
    /// <returns>The reply's bytes.</returns>
    /// <exception cref="ArgumentException">As <see cref="Write"/>.</exception>
    public static byte[] Render(in SmtpReply reply)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Write(buffer, reply);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Whether <see cref="Write"/> would accept <paramref name="reply"/>.</summary>
    /// <param name="reply">The reply.</param>
    /// <returns><see langword="true"/> if the reply can be written.</returns>
    public static bool IsValid(in SmtpReply reply) => Validate(reply) is null;

    private static string? Validate(in SmtpReply reply)
    {
        if (reply.Code is < 200 or > 599)
        {
            return "The reply code must be 200 to 599.";
        }

        if (reply.EnhancedCode is not null && !IsEnhancedCodeFor(reply.EnhancedCode, reply.Code / 100))
        {
            return "The enhanced status code must be class.subject.detail (RFC 3463) with the class equal to the reply code's first digit.";
        }

        if (reply.Text is null)
        {
            return "The reply text must not be null.";
        }

        // LF separates lines; CR or NUL anywhere would let caller text forge reply lines.
        if (reply.Text.AsSpan().IndexOfAny('\r', '\0') >= 0)
        {
            return "The reply text must not contain CR or NUL.";
        }

        return null;
    }

    /// <summary>RFC 3463 §2: class "." subject "." detail; class is 2, 4 or 5; subject and detail 1 to 3 digits.</summary>
    internal static bool IsEnhancedCodeFor(ReadOnlySpan<char> code, int replyClass)
    {
        if (code.Length < 5 || code[1] != '.' || code[0] - '0' != replyClass || replyClass is not (2 or 4 or 5))
        {
            return false;
        }

        code = code[2..];
        int dot = code.IndexOf('.');
        return dot is >= 1 and <= 3
            && IsDigits(code[..dot])
            && code.Length - dot - 1 is >= 1 and <= 3
            && IsDigits(code[(dot + 1)..]);
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return !s.IsEmpty;
    }

    private static void ThrowIfBreaksLine(string? value, string name)
    {
        if (value is not null && value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            throw new ArgumentException("The value must not contain CR, LF or NUL.", name);
        }
    }
}
