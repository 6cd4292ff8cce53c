using Microsoft.Extensions.Logging;
using Smtp.Core.Protocol;

namespace Smtp.Core.Server;

/// <summary>The <see cref="ISmtpSessionObserver"/> calls, and the host calls an abort stopped waiting for.</summary>
internal sealed partial class SmtpSession
{
    private bool _observed;
    private Task? _abandoned;

    /// <summary>Calls <see cref="ISmtpSessionObserver.SessionStartedAsync"/>; a failure refuses the client with 421 4.3.0.</summary>
    private async ValueTask<Outcome> NotifyStartedAsync(ISmtpSessionObserver observer)
    {
        // Set before the call: whatever the callback did before it failed is released by the end callback.
        _observed = true;
        try
        {
            ValueTask pending = observer.SessionStartedAsync(_context, _aborted.Token);
            if (pending.IsCompletedSuccessfully)
            {
                pending.GetAwaiter().GetResult();
            }
            else
            {
                // Bounded like the connection filter: a host that hangs must not hold the connection forever.
                Task task = pending.AsTask();
                try
                {
                    await task.WaitAsync(_options.CommandTimeout, _options.TimeProvider, _aborted.Token).ConfigureAwait(false);
                }
                catch (Exception) when (Abandon(task))
                {
                    throw;
                }
            }

            return Outcome.Continue;
        }
        catch (Exception) when (IsInterrupted(InterruptAbort))
        {
            return Outcome.Close;
        }
        catch (Exception ex)
        {
            SmtpServerLog.HandlerFailed(_logger, _context.SessionId, ex);

            // RFC 5321 §3.1 and RFC 3463 §3.4: refused instead of the greeting, a local error the client may retry.
            Reply(new SmtpReply(421, "4.3.0", _options.ServerName + " Local error, try again later"));
            SmtpServerLog.Closing(_logger, _context.SessionId, "the session observer failed");
            return Outcome.Close;
        }
    }

    /// <summary>
    /// Calls <see cref="ISmtpSessionObserver.SessionEndedAsync"/> once the session is over; never throws. If a host
    /// call the session stopped waiting for is still running, the callback runs when it returns instead.
    /// </summary>
    private async ValueTask NotifyEndedAsync()
    {
        ISmtpSessionObserver observer = _options.SessionObserver!;
        bool aborted = IsInterrupted(InterruptAbort);
        if (_abandoned is { IsCompleted: false } running)
        {
            // The session does not wait (an abort must not hang on a host that ignores its token), but the host's
            // per-session resources must outlive every call that may still use them.
            _ = EndAfterAsync(running, observer, _context, aborted, _logger);
            return;
        }

        _ = _abandoned?.Exception;
        await CallEndedAsync(observer, _context, _aborted.Token, _logger).ConfigureAwait(false);

        static async Task EndAfterAsync(Task running, ISmtpSessionObserver observer, ISmtpSessionContext context, bool aborted, ILogger logger)
        {
            try
            {
                await running.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The session already answered for it (or was aborted); only its completion matters here.
            }

            await CallEndedAsync(observer, context, new CancellationToken(aborted), logger).ConfigureAwait(false);
        }
    }

    private static async ValueTask CallEndedAsync(ISmtpSessionObserver observer, ISmtpSessionContext context, CancellationToken cancellationToken, ILogger logger)
    {
        try
        {
            await observer.SessionEndedAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SmtpServerLog.HandlerFailed(logger, context.SessionId, ex);
        }
    }

    /// <summary>
    /// Remembers a host call the session stops waiting for (abort, timeout), so that the end callback follows it.
    /// Always false: used as an exception filter, which lets the exception go on.
    /// </summary>
    private bool Abandon(Task task)
    {
        if (!task.IsCompleted)
        {
            _abandoned = _abandoned is null ? task : Task.WhenAll(_abandoned, task);
        }

        return false;
    }
}
