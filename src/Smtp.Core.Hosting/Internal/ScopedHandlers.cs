using System.IO.Pipelines;
using Smtp.Core.Auth;
using Smtp.Core.Server;

namespace Smtp.Core.Hosting.Internal;

/// <summary>Calls the <see cref="IConnectionFilter"/> of the session's DI scope.</summary>
internal sealed class ScopedConnectionFilter : IConnectionFilter
{
    public ValueTask<SmtpResult> AcceptConnectionAsync(ISmtpSessionContext context, CancellationToken cancellationToken)
        => SessionScope.InvokeAsync<IConnectionFilter, SmtpResult>(context, f => f.AcceptConnectionAsync(context, cancellationToken));
}

/// <summary>Calls the <see cref="IMailboxFilter"/> of the session's DI scope.</summary>
internal sealed class ScopedMailboxFilter : IMailboxFilter
{
    public ValueTask<SmtpResult> CanAcceptFromAsync(ISmtpSessionContext context, SmtpEnvelope envelope, CancellationToken cancellationToken)
        => SessionScope.InvokeAsync<IMailboxFilter, SmtpResult>(context, f => f.CanAcceptFromAsync(context, envelope, cancellationToken));

    public ValueTask<SmtpResult> CanDeliverToAsync(ISmtpSessionContext context, SmtpEnvelope envelope, SmtpRecipient recipient, CancellationToken cancellationToken)
        => SessionScope.InvokeAsync<IMailboxFilter, SmtpResult>(context, f => f.CanDeliverToAsync(context, envelope, recipient, cancellationToken));
}

/// <summary>Calls the <see cref="IMessageStore"/> of the session's DI scope.</summary>
internal sealed class ScopedMessageStore : IMessageStore
{
    public ValueTask<SmtpResult> SaveAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
        => SessionScope.InvokeAsync<IMessageStore, SmtpResult>(context, s => s.SaveAsync(context, envelope, body, cancellationToken));
}

/// <summary>Calls the <see cref="ILmtpMessageStore"/> of the session's DI scope (registered when the store is one).</summary>
internal sealed class ScopedLmtpMessageStore : ILmtpMessageStore
{
    public ValueTask<SmtpResult> SaveAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
        => SessionScope.InvokeAsync<IMessageStore, SmtpResult>(context, s => s.SaveAsync(context, envelope, body, cancellationToken));

    public ValueTask<IReadOnlyList<SmtpResult>> SaveForRecipientsAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
        => SessionScope.InvokeAsync<ILmtpMessageStore, IReadOnlyList<SmtpResult>>(context, s => s.SaveForRecipientsAsync(context, envelope, body, cancellationToken));
}

/// <summary>Calls the <see cref="ISmtpAuthenticator"/> of the session's DI scope.</summary>
internal sealed class ScopedAuthenticator : ISmtpAuthenticator
{
    public ValueTask<SmtpAuthenticationResult> AuthenticateAsync(ISmtpSessionContext context, SaslCredentials credentials, CancellationToken cancellationToken)
        => SessionScope.InvokeAsync<ISmtpAuthenticator, SmtpAuthenticationResult>(context, a => a.AuthenticateAsync(context, credentials, cancellationToken));
}

/// <summary>
/// Calls the <see cref="ISmtpAuthenticator"/> and <see cref="IScramCredentialStore"/> of the session's DI scope; used
/// only when the registered authenticator is a SCRAM store, since the core offers SCRAM-SHA-256 by the adapter's type.
/// </summary>
internal sealed class ScopedScramAuthenticator : ISmtpAuthenticator, IScramCredentialStore
{
    public ValueTask<SmtpAuthenticationResult> AuthenticateAsync(ISmtpSessionContext context, SaslCredentials credentials, CancellationToken cancellationToken)
        => SessionScope.InvokeAsync<ISmtpAuthenticator, SmtpAuthenticationResult>(context, a => a.AuthenticateAsync(context, credentials, cancellationToken));

    public ValueTask<ScramCredentials?> FindScramCredentialsAsync(ISmtpSessionContext context, string userName, CancellationToken cancellationToken)
        => SessionScope.InvokeAsync<IScramCredentialStore, ScramCredentials?>(context, s => s.FindScramCredentialsAsync(context, userName, cancellationToken));
}
