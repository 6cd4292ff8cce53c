using Smtp.Core.Auth;
using Smtp.Core.Server;

namespace Smtp.Core.Hosting.Tests.Support;

/// <summary>A scoped authenticator: alice / s3cret, recording the probe of its scope.</summary>
internal sealed class ScopedAuthenticator(SessionProbe probe) : ISmtpAuthenticator
{
    public static readonly System.Collections.Concurrent.ConcurrentQueue<int> ProbeIds = new();

    public ValueTask<SmtpAuthenticationResult> AuthenticateAsync(ISmtpSessionContext context, SaslCredentials credentials, CancellationToken cancellationToken)
    {
        ProbeIds.Enqueue(probe.Id);
        return ValueTask.FromResult(credentials is PasswordSaslCredentials { UserName: "alice", Password: "s3cret" }
            ? SmtpAuthenticationResult.Authenticated("alice")
            : SmtpAuthenticationResult.Invalid());
    }
}
