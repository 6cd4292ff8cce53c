using System.Globalization;
using System.IO.Pipelines;
using Smtp.Core.Server;

namespace MailServer;

/// <summary>
/// Wraps the Maildir store and prints one line per message, so a developer sees mail arrive. Not used with
/// --discard, where the console would cost more than the protocol under load.
/// </summary>
internal sealed class ReportingMessageStore(IMessageStore inner, TextWriter output) : IMessageStore
{
    public async ValueTask<SmtpResult> SaveAsync(ISmtpSessionContext context, SmtpEnvelope envelope, PipeReader body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var result = await inner.SaveAsync(context, envelope, body, cancellationToken).ConfigureAwait(false);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.Now:HH:mm:ss} {(result.IsAccepted ? "stored" : "refused")} {envelope}: {result}"));
        return result;
    }
}
