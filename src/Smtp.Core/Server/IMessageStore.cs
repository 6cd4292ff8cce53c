using System.IO.Pipelines;

namespace Smtp.Core.Server;

/// <summary>Receives each message the server accepted: the envelope and the streamed body.</summary>
/// <remarks>
/// <para>
/// The body reader yields the message exactly as the client meant it: after DATA, dot-unstuffed and without
/// the terminating <c>&lt;CRLF&gt;.&lt;CRLF&gt;</c> (the final CRLF of the last line is part of the body);
/// after BDAT, the chunks concatenated. It streams as the bytes arrive and is never the whole message in
/// memory. The store must not keep the reader after it returned. Whatever the store does not read is drained
/// by the server.
/// </para>
/// <para>
/// The server sends its reply only after this method completed, so a store that acknowledges only durable
/// writes gives the client a durable 250. If the body turns out to be invalid (the size limit is exceeded, the
/// client disconnects, a deadline passes), the reader throws; the server then discards the store's result and
/// answers itself. An exception thrown by the store is answered <c>451 4.3.0</c> and the session goes on.
/// </para>
/// <para>
/// The store starts on the thread pool and may read the body synchronously. A store that only ever reads it with
/// <c>await</c> can be called on the session's own flow instead, without a thread hop per message: see
/// <see cref="SmtpServerOptions.RunMessageStoreInline"/>.
/// </para>
/// </remarks>
public interface IMessageStore
{
    /// <summary>Stores one message.</summary>
    /// <param name="context">The session.</param>
    /// <param name="envelope">The sender, the accepted recipients and the MAIL parameters.</param>
    /// <param name="body">The streamed, unstuffed body.</param>
    /// <param name="cancellationToken">Cancelled when the session is aborted.</param>
    /// <returns>Accept for the default <c>250 2.0.0</c>, or a refusal such as 552 5.3.4 or 451 4.3.0.</returns>
    ValueTask<SmtpResult> SaveAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken);
}
