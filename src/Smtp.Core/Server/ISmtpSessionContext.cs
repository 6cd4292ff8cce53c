using System.Net;

namespace Smtp.Core.Server;

/// <summary>What a host may know about one SMTP session when it makes a decision.</summary>
/// <remarks>
/// The same instance is passed to every host call of a session; hosts may keep per-session state in
/// <see cref="Properties"/>. It is not thread-safe and must not be used after the session ended.
/// </remarks>
public interface ISmtpSessionContext
{
    /// <summary>A unique id for the session, also used in logs, traces and the default reply texts.</summary>
    string SessionId { get; }

    /// <summary>The client's endpoint, usually an <see cref="IPEndPoint"/>; <see langword="null"/> when the transport does not say.</summary>
    EndPoint? RemoteEndPoint { get; }

    /// <summary>The server's endpoint the client connected to; <see langword="null"/> when the transport does not say.</summary>
    EndPoint? LocalEndPoint { get; }

    /// <summary>The client's address when <see cref="RemoteEndPoint"/> is an <see cref="IPEndPoint"/>, else <see langword="null"/>.</summary>
    IPAddress? RemoteAddress { get; }

    /// <summary>The name the client gave in EHLO, HELO or LHLO, or <see langword="null"/> before it did.</summary>
    string? ClientName { get; }

    /// <summary>Whether the client greeted with EHLO or LHLO (extended SMTP) rather than HELO.</summary>
    bool IsExtended { get; }

    /// <summary>Whether the session runs in LMTP mode (RFC 2033).</summary>
    bool IsLmtp { get; }

    /// <summary>Whether the connection is protected by TLS (after STARTTLS, or on an implicit-TLS endpoint).</summary>
    bool IsSecure { get; }

    /// <summary>What the TLS handshake negotiated (protocol, cipher suite, SNI name, client certificate), or <see langword="null"/> without TLS.</summary>
    SmtpTlsInfo? Tls { get; }

    /// <summary>
    /// The identity established by AUTH (RFC 4954), as the <see cref="ISmtpAuthenticator"/> returned it, or
    /// <see langword="null"/> when the client has not authenticated. A mailbox filter can use it to forbid sending as
    /// someone else. Cleared by STARTTLS (RFC 3207 §4.2).
    /// </summary>
    string? AuthenticatedIdentity { get; }

    /// <summary>
    /// A bag for host state that lives as long as the session; an <see cref="ISmtpSessionObserver"/> fills it when the
    /// session starts and empties it when the session ends.
    /// </summary>
    IDictionary<string, object?> Properties { get; }
}
