using System.Buffers;
using System.Buffers.Text;

namespace Smtp.Core.Protocol;

/// <summary>
/// Writes SMTP commands (RFC 5321 §4.1.1 and the extensions) into an <see cref="IBufferWriter{T}"/> (client side).
/// </summary>
/// <remarks>
/// <para>
/// Every method validates all caller text before writing anything and throws <see cref="ArgumentException"/>
/// (a programming error) for text that could break the command framing: CR, LF, NUL and other control characters
/// anywhere; in a domain, a space; in a path, angle brackets and spaces outside a quoted local part; in a
/// parameter keyword, anything but letters, digits and <c>-</c>; in a plain parameter value, <c>=</c> and spaces.
/// </para>
/// <para>
/// Parameter values of <c>ORCPT</c>, <c>ENVID</c> (RFC 3461 §4) and <c>AUTH</c> (RFC 4954 §5) are given raw and
/// encoded as xtext by the writer; give <c>ORCPT</c> as <c>rfc822;user@example.org</c>. Text is written as UTF-8
/// (RFC 6531). Nothing is flushed: the caller flushes once per batch of pipelined commands (RFC 2920 §3.1).
/// </para>
/// </remarks>
public static class SmtpCommandWriter
{
    /// <summary>Writes <c>HELO domain</c>.</summary>
    /// <param name="output">Receives the command.</param>
    /// <param name="domain">The client's domain or address literal.</param>
    public static void WriteHelo(IBufferWriter<byte> output, string domain) => WriteHello(output, "HELO "u8, domain);

    /// <summary>Writes <c>EHLO domain</c>.</summary>
    /// <param name="output">Receives the command.</param>
    /// <param name="domain">The client's domain or address literal.</param>
    public static void WriteEhlo(IBufferWriter<byte> output, string domain) => WriteHello(output, "EHLO "u8, domain);

    /// <summary>Writes <c>LHLO domain</c> (RFC 2033 §4.1).</summary>
    /// <param name="output">Receives the command.</param>
    /// <param name="domain">The client's domain or address literal.</param>
    public static void WriteLhlo(IBufferWriter<byte> output, string domain) => WriteHello(output, "LHLO "u8, domain);

    /// <summary>Writes <c>MAIL FROM:&lt;reversePath&gt;</c> and its parameters.</summary>
    /// <param name="output">Receives the command.</param>
    /// <param name="reversePath">The address without angle brackets; empty for the null reverse path <c>&lt;&gt;</c>.</param>
    /// <param name="parameters">ESMTP parameters such as <c>SIZE=1000</c>, <c>BODY=8BITMIME</c>, <c>SMTPUTF8</c>
    /// (a <see langword="null"/> value writes the keyword alone).</param>
    public static void WriteMailFrom(IBufferWriter<byte> output, string reversePath, params ReadOnlySpan<KeyValuePair<string, string?>> parameters)
        => WriteAddressCommand(output, "MAIL FROM:<"u8, reversePath, allowEmpty: true, parameters);

    /// <summary>Writes <c>RCPT TO:&lt;forwardPath&gt;</c> and its parameters.</summary>
    /// <param name="output">Receives the command.</param>
    /// <param name="forwardPath">The address without angle brackets.</param>
    /// <param name="parameters">ESMTP parameters such as <c>NOTIFY=SUCCESS,FAILURE</c> and <c>ORCPT</c> (raw; encoded
    /// as xtext here).</param>
    public static void WriteRcptTo(IBufferWriter<byte> output, string forwardPath, params ReadOnlySpan<KeyValuePair<string, string?>> parameters)
        => WriteAddressCommand(output, "RCPT TO:<"u8, forwardPath, allowEmpty: false, parameters);

    /// <summary>Writes <c>DATA</c>.</summary>
    /// <param name="output">Receives the command.</param>
    public static void WriteData(IBufferWriter<byte> output) => WriteConstant(output, "DATA\r\n"u8);

    /// <summary>Writes <c>BDAT size</c> or <c>BDAT size LAST</c> (RFC 3030 §2); the chunk octets follow it.</summary>
    /// <param name="output">Receives the command.</param>
    /// <param name="size">The chunk size.</param>
    /// <param name="last">Whether this is the last chunk.</param>
    public static void WriteBdat(IBufferWriter<byte> output, long size, bool last)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var writer = new ProtocolBufferWriter(output, 32);
        writer.Write("BDAT "u8);
        writer.WriteNumber(size);
        writer.Write(last ? " LAST\r\n"u8 : "\r\n"u8);
        writer.Commit();
    }

    /// <summary>Writes <c>RSET</c>.</summary>
    /// <param name="output">Receives the command.</param>
    public static void WriteRset(IBufferWriter<byte> output) => WriteConstant(output, "RSET\r\n"u8);

    /// <summary>Writes <c>NOOP</c>.</summary>
    /// <param name="output">Receives the command.</param>
    public static void WriteNoop(IBufferWriter<byte> output) => WriteConstant(output, "NOOP\r\n"u8);

    /// <summary>Writes <c>QUIT</c>.</summary>
    /// <param name="output">Receives the command.</param>
    public static void WriteQuit(IBufferWriter<byte> output) => WriteConstant(output, "QUIT\r\n"u8);

    /// <summary>Writes <c>STARTTLS</c> (RFC 3207).</summary>
    /// <param name="output">Receives the command.</param>
    public static void WriteStartTls(IBufferWriter<byte> output) => WriteConstant(output, "STARTTLS\r\n"u8);

    /// <summary>Writes <c>VRFY argument</c>.</summary>
    /// <param name="output">Receives the command.</param>
    /// <param name="argument">A user name or mailbox.</param>
    public static void WriteVrfy(IBufferWriter<byte> output, string argument)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentException.ThrowIfNullOrEmpty(argument);
        ThrowIfControl(argument, nameof(argument));
        var writer = new ProtocolBufferWriter(output, 16 + (argument.Length * 3));
        writer.Write("VRFY "u8);
        writer.WriteUtf8(argument);
        writer.Write("\r\n"u8);
        writer.Commit();
    }

    /// <summary>Writes <c>AUTH mechanism</c> with no initial response (RFC 4954 §4).</summary>
    /// <param name="output">Receives the command.</param>
    /// <param name="mechanism">A SASL mechanism name such as <c>PLAIN</c>.</param>
    public static void WriteAuth(IBufferWriter<byte> output, string mechanism)
    {
        ArgumentNullException.ThrowIfNull(output);
        ThrowIfNotMechanism(mechanism);
        var writer = new ProtocolBufferWriter(output, 16 + mechanism.Length);
        writer.Write("AUTH "u8);
        writer.WriteUtf8(mechanism);
        writer.Write("\r\n"u8);
        writer.Commit();
    }

    /// <summary>Writes <c>AUTH mechanism initial-response</c>, the response in base64; an empty response is
    /// written as <c>=</c> (RFC 4954 §4).</summary>
    /// <param name="output">Receives the command.</param>
    /// <param name="mechanism">A SASL mechanism name.</param>
    /// <param name="initialResponse">The raw initial response.</param>
    public static void WriteAuth(IBufferWriter<byte> output, string mechanism, ReadOnlySpan<byte> initialResponse)
    {
        ArgumentNullException.ThrowIfNull(output);
        ThrowIfNotMechanism(mechanism);
        var writer = new ProtocolBufferWriter(output, 16 + mechanism.Length + Base64.GetMaxEncodedToUtf8Length(initialResponse.Length));
        writer.Write("AUTH "u8);
        writer.WriteUtf8(mechanism);
        writer.Write((byte)' ');
        WriteBase64(ref writer, initialResponse);
        writer.Write("\r\n"u8);
        writer.Commit();
    }

    /// <summary>Writes one SASL continuation line: <paramref name="response"/> in base64 (empty as an empty
    /// line), answering a <c>334</c> challenge (RFC 4954 §4).</summary>
    /// <param name="output">Receives the line.</param>
    /// <param name="response">The raw response.</param>
    public static void WriteAuthResponse(IBufferWriter<byte> output, ReadOnlySpan<byte> response)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new ProtocolBufferWriter(output, 2 + Base64.GetMaxEncodedToUtf8Length(response.Length));
        if (!response.IsEmpty)
        {
            WriteBase64(ref writer, response);
        }

        writer.Write("\r\n"u8);
        writer.Commit();
    }

    /// <summary>Writes <c>*</c>, which cancels a SASL exchange (RFC 4954 §4).</summary>
    /// <param name="output">Receives the line.</param>
    public static void WriteAuthCancel(IBufferWriter<byte> output) => WriteConstant(output, "*\r\n"u8);

    private static void WriteBase64(ref ProtocolBufferWriter writer, scoped ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            writer.Write((byte)'=');
            return;
        }

        int max = Base64.GetMaxEncodedToUtf8Length(data.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            Base64.EncodeToUtf8(data, rented, out _, out int written);
            writer.Write(rented.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
    }

    private static void WriteConstant(IBufferWriter<byte> output, ReadOnlySpan<byte> command)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new ProtocolBufferWriter(output, command.Length);
        writer.Write(command);
        writer.Commit();
    }

    private static void WriteHello(IBufferWriter<byte> output, ReadOnlySpan<byte> verb, string domain)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentException.ThrowIfNullOrEmpty(domain);
        ThrowIfControl(domain, nameof(domain));
        if (domain.Contains(' ', StringComparison.Ordinal))
        {
            throw new ArgumentException("The domain must not contain spaces.", nameof(domain));
        }

        var writer = new ProtocolBufferWriter(output, 8 + (domain.Length * 3));
        writer.Write(verb);
        writer.WriteUtf8(domain);
        writer.Write("\r\n"u8);
        writer.Commit();
    }

    private static void WriteAddressCommand(IBufferWriter<byte> output, ReadOnlySpan<byte> prefix, string path, bool allowEmpty, ReadOnlySpan<KeyValuePair<string, string?>> parameters)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(path);
        ThrowIfBadPath(path, allowEmpty);
        int size = 16 + (path.Length * 3);
        foreach (KeyValuePair<string, string?> parameter in parameters)
        {
            ThrowIfBadParameter(parameter);
            size += 2 + (parameter.Key.Length * 3) + ((parameter.Value?.Length ?? 0) * 9);
        }

        var writer = new ProtocolBufferWriter(output, Math.Min(size, 4096));
        writer.Write(prefix);
        writer.WriteUtf8(path);
        writer.Write((byte)'>');
        foreach (KeyValuePair<string, string?> parameter in parameters)
        {
            writer.Write((byte)' ');
            writer.WriteUtf8(parameter.Key);
            if (parameter.Value is null)
            {
                continue;
            }

            writer.Write((byte)'=');
            if (IsXtextParameter(parameter.Key))
            {
                XtextEncoder.Write(ref writer, parameter.Value.AsSpan());
            }
            else
            {
                writer.WriteUtf8(parameter.Value);
            }
        }

        writer.Write("\r\n"u8);
        writer.Commit();
    }

    private static bool IsXtextParameter(string key)
        => key.Equals("ORCPT", StringComparison.OrdinalIgnoreCase)
        || key.Equals("ENVID", StringComparison.OrdinalIgnoreCase)
        || key.Equals("AUTH", StringComparison.OrdinalIgnoreCase);

    private static void ThrowIfBadPath(string path, bool allowEmpty)
    {
        if (path.Length == 0 && !allowEmpty)
        {
            throw new ArgumentException("The forward path must not be empty.", nameof(path));
        }

        // RFC 5321 §4.1.2: a space or an angle bracket may appear only inside a quoted local part; outside one
        // it would end the path early and let the rest be read as parameters or a new command.
        bool quoted = false;
        bool escaped = false;
        foreach (char c in path)
        {
            if (c < 0x20 || c == 0x7F)
            {
                throw new ArgumentException("The path must not contain control characters (CR, LF, NUL...).", nameof(path));
            }

            if (escaped)
            {
                escaped = false;
            }
            else if (quoted && c == '\\')
            {
                escaped = true;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is ' ' or '<' or '>')
            {
                throw new ArgumentException("The path must not contain spaces or angle brackets outside a quoted local part.", nameof(path));
            }
        }

        if (quoted || escaped)
        {
            throw new ArgumentException("The path has an unterminated quoted string.", nameof(path));
        }
    }

    private static void ThrowIfBadParameter(KeyValuePair<string, string?> parameter)
    {
        // RFC 5321 §4.1.2: esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-").
        string key = parameter.Key;
        if (string.IsNullOrEmpty(key) || key[0] == '-' || key.AsSpan().ContainsAnyExcept(KeywordChars))
        {
            throw new ArgumentException($"'{key}' is not an ESMTP parameter keyword.", nameof(parameter));
        }

        string? value = parameter.Value;
        if (value is null || IsXtextParameter(key))
        {
            return;
        }

        // esmtp-value = 1*(%d33-60 / %d62-126), widened to UTF-8 by RFC 6531 §3.3.
        if (value.Length == 0)
        {
            throw new ArgumentException($"The value of {key} must not be empty.", nameof(parameter));
        }

        foreach (char c in value)
        {
            if (c <= ' ' || c == '=' || c == 0x7F)
            {
                throw new ArgumentException($"The value of {key} must not contain spaces, '=' or control characters.", nameof(parameter));
            }
        }
    }

    private static readonly System.Buffers.SearchValues<char> KeywordChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");

    private static void ThrowIfNotMechanism(string mechanism)
    {
        // RFC 4422 §3.1: 1 to 20 of upper-case letters, digits, '-' and '_'.
        ArgumentException.ThrowIfNullOrEmpty(mechanism);
        if (mechanism.Length > 20 || mechanism.AsSpan().ContainsAnyExcept(MechanismChars))
        {
            throw new ArgumentException($"'{mechanism}' is not a SASL mechanism name.", nameof(mechanism));
        }
    }

    private static readonly System.Buffers.SearchValues<char> MechanismChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

    private static void ThrowIfControl(string value, string name)
    {
        foreach (char c in value)
        {
            if (c < 0x20 || c == 0x7F)
            {
                throw new ArgumentException("The value must not contain control characters (CR, LF, NUL...).", name);
            }
        }
    }
}
