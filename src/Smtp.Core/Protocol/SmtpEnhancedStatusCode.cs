namespace Smtp.Core.Protocol;

/// <summary>An RFC 3463 enhanced status code, <c>class.subject.detail</c>, as parsed from a reply.</summary>
/// <param name="Class">2, 4 or 5.</param>
/// <param name="Subject">0 to 999.</param>
/// <param name="Detail">0 to 999.</param>
public readonly record struct SmtpEnhancedStatusCode(int Class, int Subject, int Detail)
{
    /// <inheritdoc />
    public override string ToString() => $"{Class}.{Subject}.{Detail}";
}
