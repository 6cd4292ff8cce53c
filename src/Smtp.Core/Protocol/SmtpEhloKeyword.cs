using System.Buffers;
using System.Text;

namespace Smtp.Core.Protocol;

/// <summary>One extension line of an EHLO reply: a keyword such as <c>SIZE</c> and its parameters such as
/// <c>10485760</c> (RFC 5321 §4.1.1.1), viewed in place over the input buffer.</summary>
public readonly struct SmtpEhloKeyword
{
    internal SmtpEhloKeyword(ReadOnlySequence<byte> keyword, ReadOnlySequence<byte> parameters)
    {
        Keyword = keyword;
        Parameters = parameters;
    }

    /// <summary>The keyword as received.</summary>
    public ReadOnlySequence<byte> Keyword { get; }

    /// <summary>Everything after the keyword and the spaces that follow it; empty when there are none.</summary>
    public ReadOnlySequence<byte> Parameters { get; }

    /// <summary>Whether the keyword is <paramref name="keyword"/>, compared as ASCII without regard to case
    /// (RFC 5321 §2.4: keywords are case-insensitive).</summary>
    /// <param name="keyword">An ASCII keyword such as <c>"PIPELINING"u8</c>.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Is(ReadOnlySpan<byte> keyword)
    {
        if (Keyword.Length != keyword.Length)
        {
            return false;
        }

        foreach (ReadOnlyMemory<byte> segment in Keyword)
        {
            ReadOnlySpan<byte> span = segment.Span;
            if (!System.Text.Ascii.EqualsIgnoreCase(span, keyword[..span.Length]))
            {
                return false;
            }

            keyword = keyword[span.Length..];
        }

        return true;
    }

    /// <summary>The keyword as a string, for host code.</summary>
    /// <returns>The keyword.</returns>
    public string GetKeywordString() => Encoding.UTF8.GetString(Keyword);

    /// <summary>The parameters as a string, for host code.</summary>
    /// <returns>The parameters, or an empty string.</returns>
    public string GetParametersString() => Encoding.UTF8.GetString(Parameters);
}
