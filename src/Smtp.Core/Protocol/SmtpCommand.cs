namespace Smtp.Core.Protocol;

/// <summary>
/// One parsed command line: the verb and its arguments as spans into the line, and typed ESMTP parameters.
/// </summary>
/// <remarks>
/// Produced by <see cref="SmtpCommandParser"/>. Spans are only valid while the line's buffer is (until the
/// pipe is advanced, or the scratch buffer reused); copy what the host needs with the string helpers on
/// <see cref="SmtpPath"/>, <see cref="Xtext"/> or <see cref="System.Text.Encoding.UTF8"/>. Members that do not
/// belong to <see cref="Verb"/> are empty, <see langword="null"/> or default.
/// </remarks>
public readonly ref struct SmtpCommand
{
    /// <summary>The command.</summary>
    public SmtpVerb Verb { get; internal init; }

    /// <summary>Everything after the verb and its space, trailing spaces removed (the raw VRFY, EXPN, HELP or NOOP string).</summary>
    public ReadOnlySpan<byte> Argument { get; internal init; }

    /// <summary>HELO, EHLO, LHLO: the client's domain or address literal, validated.</summary>
    public ReadOnlySpan<byte> Domain { get; internal init; }

    /// <summary>MAIL: the reverse-path; RCPT: the forward-path.</summary>
    public SmtpPath Path { get; internal init; }

    /// <summary>MAIL <c>SIZE=</c> (RFC 1870), or <see langword="null"/> when absent.</summary>
    public long? Size { get; internal init; }

    /// <summary>MAIL <c>BODY=</c> (RFC 6152, RFC 3030).</summary>
    public SmtpBodyType Body { get; internal init; }

    /// <summary>MAIL <c>SMTPUTF8</c> (RFC 6531 §3.4).</summary>
    public bool SmtpUtf8 { get; internal init; }

    /// <summary>MAIL <c>RET=</c> (RFC 3461 §4.3).</summary>
    public SmtpDsnReturn Return { get; internal init; }

    /// <summary>MAIL <c>ENVID=</c> as raw, validated xtext (RFC 3461 §4.4); decode with <see cref="Xtext"/>.</summary>
    public ReadOnlySpan<byte> EnvelopeId { get; internal init; }

    /// <summary>MAIL <c>AUTH=</c> as raw, validated xtext: a mailbox or <c>&lt;&gt;</c> (RFC 4954 §5).</summary>
    public ReadOnlySpan<byte> AuthParameter { get; internal init; }

    /// <summary>Whether MAIL carried <c>AUTH=</c> (an empty value is not allowed, so this equals a non-empty <see cref="AuthParameter"/>).</summary>
    public bool HasAuthParameter => !AuthParameter.IsEmpty;

    /// <summary>MAIL <c>REQUIRETLS</c> (RFC 8689 §4.1).</summary>
    public bool RequireTls { get; internal init; }

    /// <summary>RCPT <c>NOTIFY=</c> (RFC 3461 §4.1).</summary>
    public SmtpDsnNotify Notify { get; internal init; }

    /// <summary>RCPT <c>ORCPT=</c> as raw <c>addr-type;xtext</c> (RFC 3461 §4.2), validated.</summary>
    public ReadOnlySpan<byte> OriginalRecipient { get; internal init; }

    /// <summary>BDAT: the chunk size in octets (RFC 3030 §2).</summary>
    public long ChunkSize { get; internal init; }

    /// <summary>BDAT: whether the <c>LAST</c> marker was given.</summary>
    public bool IsLastChunk { get; internal init; }

    /// <summary>AUTH: the SASL mechanism name as sent (compare case-insensitively).</summary>
    public ReadOnlySpan<byte> AuthMechanism { get; internal init; }

    /// <summary>
    /// AUTH: the initial response as raw base64, validated; <c>=</c> stands for an empty response
    /// (RFC 4954 §4). Decode with <see cref="SmtpAuthResponseParser.DecodeInitialResponse"/>.
    /// </summary>
    public ReadOnlySpan<byte> InitialResponse { get; internal init; }

    /// <summary>AUTH: whether an initial response was given.</summary>
    public bool HasInitialResponse => !InitialResponse.IsEmpty;
}
