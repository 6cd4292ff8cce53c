using System.Buffers;
using System.Buffers.Text;

namespace Smtp.Core.Protocol;

/// <summary>
/// Decodes the client's side of an AUTH exchange (RFC 4954 §4): continuation lines of base64 or <c>*</c>, and
/// the initial response on the AUTH command itself.
/// </summary>
/// <remarks>
/// Base64 is checked strictly (RFC 4648 alphabet, padding only at the end, length a multiple of 4, no
/// whitespace) before decoding, because the platform decoder skips whitespace.
/// </remarks>
public static class SmtpAuthResponseParser
{
    /// <summary>Parses one continuation line.</summary>
    /// <param name="line">The line without CRLF.</param>
    /// <param name="destination">Receives the decoded octets; at least <c>line.Length * 3 / 4</c> long.</param>
    /// <param name="bytesWritten">The number of decoded octets.</param>
    /// <param name="cancelled">Whether the client sent <c>*</c> to cancel; answer with <see cref="SmtpReason.AuthenticationCancelled"/>.</param>
    /// <returns>
    /// <see cref="SmtpReason.None"/>, <see cref="SmtpReason.InvalidBase64"/>, or
    /// <see cref="SmtpReason.AuthLineTooLong"/> when <paramref name="destination"/> is too small.
    /// </returns>
    public static SmtpReason Parse(ReadOnlySpan<byte> line, Span<byte> destination, out int bytesWritten, out bool cancelled)
    {
        bytesWritten = 0;
        cancelled = line.Length == 1 && line[0] == (byte)'*';
        return cancelled ? SmtpReason.None : Decode(line, destination, out bytesWritten);
    }

    /// <summary>Parses one continuation line that may span several segments.</summary>
    /// <param name="line">The line without CRLF.</param>
    /// <param name="scratch">A buffer for the line when it crosses segments (the framer's limit in size).</param>
    /// <param name="destination">Receives the decoded octets.</param>
    /// <param name="bytesWritten">The number of decoded octets.</param>
    /// <param name="cancelled">Whether the client sent <c>*</c>.</param>
    /// <returns>As <see cref="Parse(ReadOnlySpan{byte}, Span{byte}, out int, out bool)"/>.</returns>
    public static SmtpReason Parse(in ReadOnlySequence<byte> line, Span<byte> scratch, Span<byte> destination, out int bytesWritten, out bool cancelled)
    {
        if (line.IsSingleSegment)
        {
            return Parse(line.FirstSpan, destination, out bytesWritten, out cancelled);
        }

        if (line.Length > scratch.Length)
        {
            bytesWritten = 0;
            cancelled = false;
            return SmtpReason.AuthLineTooLong;
        }

        line.CopyTo(scratch);
        return Parse(scratch[..(int)line.Length], destination, out bytesWritten, out cancelled);
    }

    /// <summary>Decodes the initial response of an AUTH command, where <c>=</c> means an empty response.</summary>
    /// <param name="initialResponse"><see cref="SmtpCommand.InitialResponse"/>.</param>
    /// <param name="destination">Receives the decoded octets.</param>
    /// <param name="bytesWritten">The number of decoded octets.</param>
    /// <returns>As <see cref="Parse(ReadOnlySpan{byte}, Span{byte}, out int, out bool)"/>.</returns>
    public static SmtpReason DecodeInitialResponse(ReadOnlySpan<byte> initialResponse, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        return initialResponse.Length == 1 && initialResponse[0] == (byte)'='
            ? SmtpReason.None
            : Decode(initialResponse, destination, out bytesWritten);
    }

    private static SmtpReason Decode(ReadOnlySpan<byte> base64, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (!IsStrictBase64(base64))
        {
            return SmtpReason.InvalidBase64;
        }

        if (Base64.GetMaxDecodedFromUtf8Length(base64.Length) > destination.Length)
        {
            return SmtpReason.AuthLineTooLong;
        }

        return Base64.DecodeFromUtf8(base64, destination, out _, out bytesWritten) == OperationStatus.Done
            ? SmtpReason.None
            : SmtpReason.InvalidBase64;
    }

    /// <summary>Strict RFC 4648 base64: an empty string is valid (an empty SASL response).</summary>
    internal static bool IsStrictBase64(ReadOnlySpan<byte> s)
    {
        if (s.Length % 4 != 0)
        {
            return false;
        }

        int padding = s.Length > 0 && s[^1] == (byte)'=' ? (s[^2] == (byte)'=' ? 2 : 1) : 0;
        foreach (byte c in s[..^padding])
        {
            if (!(SmtpAddressParser.IsLetDig(c) || c is (byte)'+' or (byte)'/'))
            {
                return false;
            }
        }

        return true;
    }
}
