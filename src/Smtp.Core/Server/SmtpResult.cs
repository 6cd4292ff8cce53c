using Smtp.Core.Protocol;

namespace Smtp.Core.Server;

/// <summary>
/// A host decision: accept (with the server's default reply or one the host chooses) or refuse with a
/// reply code, an enhanced status code and text.
/// </summary>
/// <remarks>
/// A result is a value rather than a <see cref="bool"/> so that a host can say <em>how</em> it refuses:
/// 450 versus 550 for a mailbox, 452 versus 552 for storage, 451 for a local error. The default value is
/// <see cref="Accept()"/>.
/// </remarks>
public readonly struct SmtpResult : IEquatable<SmtpResult>
{
    private SmtpResult(SmtpReply? reply) => Reply = reply;

    /// <summary>
    /// The reply the host chose, or <see langword="null"/> for an acceptance with the server's default reply
    /// (such as <c>250 2.1.0 Sender OK</c>).
    /// </summary>
    public SmtpReply? Reply { get; }

    /// <summary>Whether the decision accepts: no reply, or a 2xx reply.</summary>
    public bool IsAccepted => Reply is not { } reply || reply.IsPositiveCompletion;

    /// <summary>Accepts with the server's default reply for the step.</summary>
    public static SmtpResult Accept() => default;

    /// <summary>Accepts with a 250 reply carrying the given enhanced code and text.</summary>
    /// <param name="enhancedCode">The enhanced status code, such as <c>2.0.0</c>.</param>
    /// <param name="text">The reply text.</param>
    public static SmtpResult Accept(string enhancedCode, string text) => FromReply(new SmtpReply(250, enhancedCode, text));

    /// <summary>Refuses with the given reply.</summary>
    /// <param name="code">A 4xx (transient) or 5xx (permanent) reply code.</param>
    /// <param name="enhancedCode">The RFC 3463 enhanced status code, such as <c>5.7.1</c>; its class must match the code.</param>
    /// <param name="text">The reply text.</param>
    /// <exception cref="ArgumentOutOfRangeException">The code is not 400 to 599, or the enhanced code's class does not match it.</exception>
    public static SmtpResult Reject(int code, string enhancedCode, string text)
    {
        if (code is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "A rejection needs a 4xx or 5xx reply code.");
        }

        return FromReply(new SmtpReply(code, enhancedCode, text));
    }

    /// <summary>Answers with an arbitrary reply (2xx accepts, 4xx and 5xx refuse).</summary>
    /// <param name="reply">The reply; its code must be 200 to 599 and its enhanced code, if any, of the same class.</param>
    /// <exception cref="ArgumentOutOfRangeException">The reply code is not 2xx, 4xx or 5xx, or the enhanced code does not match it.</exception>
    /// <exception cref="ArgumentException">The text contains CR or NUL, or the enhanced code is malformed.</exception>
    public static SmtpResult FromReply(SmtpReply reply)
    {
        if (reply.Code is < 200 or > 599 || reply.IsPositiveIntermediate)
        {
            throw new ArgumentOutOfRangeException(nameof(reply), reply.Code, "A result needs a 2xx, 4xx or 5xx reply code.");
        }

        // RFC 3463 §2: the class digit of the enhanced code matches the first digit of the reply code.
        if (reply.EnhancedCode is { Length: > 0 } enhanced && enhanced[0] - '0' != reply.Code / 100)
        {
            throw new ArgumentOutOfRangeException(nameof(reply), reply.EnhancedCode, "The enhanced status code's class does not match the reply code.");
        }

        ArgumentNullException.ThrowIfNull(reply.Text, nameof(reply));

        // Checked here, in the host's call, rather than when the session writes it: CR or NUL in host text would
        // let it forge reply lines.
        if (!SmtpReplyWriter.IsValid(reply))
        {
            throw new ArgumentException("The reply text must not contain CR or NUL, and the enhanced code must be class.subject.detail.", nameof(reply));
        }

        return new SmtpResult(reply);
    }

    /// <inheritdoc />
    public bool Equals(SmtpResult other) => Nullable.Equals(Reply, other.Reply);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SmtpResult other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Reply.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => Reply?.ToString() ?? "accept";

    /// <summary>Whether two results are equal.</summary>
    public static bool operator ==(SmtpResult left, SmtpResult right) => left.Equals(right);

    /// <summary>Whether two results differ.</summary>
    public static bool operator !=(SmtpResult left, SmtpResult right) => !left.Equals(right);

    /// <summary>The reply to send: the host's, or the given default when the host accepted without one.</summary>
    internal SmtpReply ReplyOr(SmtpReply defaultReply) => Reply ?? defaultReply;
}
