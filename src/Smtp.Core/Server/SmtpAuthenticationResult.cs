using Smtp.Core.Protocol;

namespace Smtp.Core.Server;

/// <summary>
/// The decision of an <see cref="ISmtpAuthenticator"/>: the client is <see cref="Authenticated"/> as an identity,
/// or refused with a reply (<c>535 5.7.8</c> by default, <c>454 4.7.0</c> for a temporary failure).
/// </summary>
public readonly struct SmtpAuthenticationResult : IEquatable<SmtpAuthenticationResult>
{
    private static readonly SmtpReply s_invalid = new(535, "5.7.8", "Authentication credentials invalid");
    private static readonly SmtpReply s_temporary = new(454, "4.7.0", "Temporary authentication failure");

    private SmtpAuthenticationResult(string? identity, SmtpReply? reply)
    {
        Identity = identity;
        Reply = reply;
    }

    /// <summary>The authenticated identity, or <see langword="null"/> when refused.</summary>
    public string? Identity { get; }

    /// <summary>The refusal reply, or <see langword="null"/> when authenticated (the server answers <c>235 2.7.0</c>).</summary>
    public SmtpReply? Reply { get; }

    /// <summary>Whether the client is authenticated.</summary>
    public bool IsAuthenticated => Identity is not null;

    /// <summary>Accepts the client as <paramref name="identity"/> (visible as <see cref="ISmtpSessionContext.AuthenticatedIdentity"/>).</summary>
    /// <param name="identity">The identity the session acts as, usually the user name or the authorization identity.</param>
    /// <returns>The result.</returns>
    public static SmtpAuthenticationResult Authenticated(string identity)
    {
        ArgumentException.ThrowIfNullOrEmpty(identity);
        return new SmtpAuthenticationResult(identity, null);
    }

    /// <summary>Refuses with <c>535 5.7.8 Authentication credentials invalid</c> (RFC 4954 §6); counts toward the
    /// session's failure limit and delay.</summary>
    /// <returns>The result.</returns>
    public static SmtpAuthenticationResult Invalid() => new(null, s_invalid);

    /// <summary>Refuses with <c>454 4.7.0 Temporary authentication failure</c> (RFC 4954 §6), for example when the
    /// user database is unreachable; does not count toward the failure limit.</summary>
    /// <param name="text">The reply text, or <see langword="null"/> for the default.</param>
    /// <returns>The result.</returns>
    public static SmtpAuthenticationResult TemporaryFailure(string? text = null)
        => new(null, text is null ? s_temporary : Checked(new SmtpReply(454, "4.7.0", text)));

    /// <summary>Refuses with a reply of the host's choice; a 5xx reply counts toward the failure limit.</summary>
    /// <param name="reply">A 4xx or 5xx reply.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The reply is not 4xx or 5xx, or cannot be written.</exception>
    public static SmtpAuthenticationResult Refuse(SmtpReply reply)
    {
        if (reply.Code is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(reply), reply.Code, "A refusal needs a 4xx or 5xx reply code.");
        }

        return new SmtpAuthenticationResult(null, Checked(reply));
    }

    /// <inheritdoc />
    public bool Equals(SmtpAuthenticationResult other) => Identity == other.Identity && Nullable.Equals(Reply, other.Reply);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SmtpAuthenticationResult other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Identity, Reply);

    /// <inheritdoc />
    public override string ToString() => Identity is not null ? "authenticated as " + Identity : Reply?.ToString() ?? "refused";

    /// <summary>Whether two results are equal.</summary>
    public static bool operator ==(SmtpAuthenticationResult left, SmtpAuthenticationResult right) => left.Equals(right);

    /// <summary>Whether two results differ.</summary>
    public static bool operator !=(SmtpAuthenticationResult left, SmtpAuthenticationResult right) => !left.Equals(right);

    private static SmtpReply Checked(SmtpReply reply)
    {
        if (!SmtpReplyWriter.IsValid(reply))
        {
            throw new ArgumentOutOfRangeException(nameof(reply), reply.ToString(), "The reply cannot be written (bad enhanced code or CR/NUL in the text).");
        }

        return reply;
    }
}
