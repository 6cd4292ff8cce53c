using System.Net;
using Smtp.Core.Server;

namespace Smtp.Core.Storage;

/// <summary>A message kept by an <see cref="InMemoryMessageStore"/>.</summary>
/// <param name="SessionId">The session that delivered it.</param>
/// <param name="ClientName">The client's EHLO/HELO/LHLO name.</param>
/// <param name="RemoteEndPoint">The client's endpoint.</param>
/// <param name="Envelope">The sender, recipients and MAIL parameters.</param>
/// <param name="Body">The body exactly as received (unstuffed, the final CRLF included).</param>
/// <param name="ReceivedAt">When the store completed it, by the server's clock.</param>
public sealed record StoredMessage(
    string SessionId,
    string? ClientName,
    EndPoint? RemoteEndPoint,
    SmtpEnvelope Envelope,
    ReadOnlyMemory<byte> Body,
    DateTimeOffset ReceivedAt);
