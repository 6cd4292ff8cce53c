namespace Smtp.Core.Protocol;

/// <summary>
/// An SMTP reply: a three-digit code (RFC 5321 §4.2), an optional RFC 3463 enhanced status code, and
/// human-readable text.
/// </summary>
/// <remarks>
/// This is the one value by which every layer states a decision: the protocol core maps each malformed
/// input to one, host handlers return one, and the server writes it. Text may span several lines
/// (separated by <c>\n</c>); the reply writer emits them as a multi-line reply. The writer refuses CR, LF
/// inside a single line and NUL anywhere.
/// </remarks>
/// <param name="Code">The reply code, 200 to 599.</param>
/// <param name="EnhancedCode">The enhanced status code such as <c>5.5.2</c>, or <see langword="null"/>.</param>
/// <param name="Text">The reply text.</param>
public readonly record struct SmtpReply(int Code, string? EnhancedCode, string Text)
{
    /// <summary>Whether the code is 2xx.</summary>
    public bool IsPositiveCompletion => Code is >= 200 and < 300;

    /// <summary>Whether the code is 3xx.</summary>
    public bool IsPositiveIntermediate => Code is >= 300 and < 400;

    /// <summary>Whether the code is 4xx.</summary>
    public bool IsTransientFailure => Code is >= 400 and < 500;

    /// <summary>Whether the code is 5xx.</summary>
    public bool IsPermanentFailure => Code is >= 500 and < 600;

    /// <inheritdoc />
    public override string ToString() => EnhancedCode is null ? $"{Code} {Text}" : $"{Code} {EnhancedCode} {Text}";
}
