using System.Globalization;
using Microsoft.Extensions.Options;
using Smtp.Core.Server;

namespace MailGateway;

/// <summary>
/// The gateway's sender and recipient policy, resolved per session: a sender over its hourly limit is answered
/// 450 4.7.1, a recipient outside the allowed domains 550 5.7.1 (no relaying), an unknown triple is greylisted.
/// </summary>
internal sealed class GatewayMailboxFilter(IOptions<GatewayOptions> options, SenderRateLimiter rates, Greylist greylist) : IMailboxFilter
{
    public ValueTask<SmtpResult> CanAcceptFromAsync(ISmtpSessionContext context, SmtpEnvelope envelope, CancellationToken cancellationToken)
    {
        // The null sender (bounces, RFC 5321 §4.5.5) is not rate limited: refusing bounces loses delivery reports.
        if (!envelope.IsNullSender && !rates.MaySend(envelope.From))
        {
            return ValueTask.FromResult(SmtpResult.Reject(450, "4.7.1", "Sender rate limit exceeded, try again later"));
        }

        return ValueTask.FromResult(SmtpResult.Accept());
    }

    public ValueTask<SmtpResult> CanDeliverToAsync(ISmtpSessionContext context, SmtpEnvelope envelope, SmtpRecipient recipient, CancellationToken cancellationToken)
    {
        int at = recipient.Address.LastIndexOf('@');
        string domain = at < 0 ? "" : recipient.Address[(at + 1)..];
        if (!options.Value.AllowedDomains.Contains(domain, StringComparer.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult(SmtpResult.Reject(550, "5.7.1", "Relaying denied: " + domain + " is not served here"));
        }

        if (!greylist.Check(context.RemoteAddress, envelope.From, recipient.Address, out TimeSpan wait))
        {
            string seconds = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return ValueTask.FromResult(SmtpResult.Reject(450, "4.7.1", "Greylisted, please try again in " + seconds + " seconds"));
        }

        return ValueTask.FromResult(SmtpResult.Accept());
    }
}
