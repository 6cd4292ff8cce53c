using System.Diagnostics;
using System.Globalization;
using Smtp.Core.Auth;
using Smtp.Core.Client;

namespace MailSend;

/// <summary>Runs one MailSend invocation; separate from <see cref="Program"/> so tests can drive it in-process.</summary>
internal static class MailSendCommand
{
    public const int Ok = 0;
    public const int RecipientsRefused = 1;
    public const int Usage = 2;
    public const int SecurityFailure = 3;
    public const int ProtocolFailure = 4;
    public const int CommandRefused = 5;
    public const int NotSupported = 6;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Count == 0 || args.Contains("--help") || args.Contains("-h"))
        {
            await stdout.WriteLineAsync(MailSendOptions.Usage).ConfigureAwait(false);
            return args.Count == 0 ? Usage : Ok;
        }

        var options = MailSendOptions.TryParse(args, out string? error);
        if (options is null)
        {
            await stderr.WriteLineAsync($"error: {error}\n{MailSendOptions.Usage}").ConfigureAwait(false);
            return Usage;
        }

        if (!File.Exists(options.File))
        {
            await stderr.WriteLineAsync($"error: the message file '{options.File}' does not exist.").ConfigureAwait(false);
            return Usage;
        }

        SmtpSendEnvelope envelope;
        SmtpClientOptions clientOptions;
        try
        {
            envelope = new SmtpSendEnvelope(options.From, options.To.Select(SmtpSendRecipient.FromAddress));
            clientOptions = BuildClientOptions(options);
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return Usage;
        }

        if (options.Insecure)
        {
            await stderr.WriteLineAsync("warning: --insecure: the server's certificate is not validated.").ConfigureAwait(false);
        }

        try
        {
            return options.Count == 1
                ? await SendOnceAsync(options, clientOptions, envelope, stdout, stderr, cancellationToken).ConfigureAwait(false)
                : await SendManyAsync(options, clientOptions, envelope, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }
        catch (SmtpSecurityException e)
        {
            await stderr.WriteLineAsync($"error: security: {e.Message}").ConfigureAwait(false);
            return SecurityFailure;
        }
        catch (SmtpCommandException e)
        {
            await stderr.WriteLineAsync($"error: the server refused {e.Command}: {e.Reply}").ConfigureAwait(false);
            return CommandRefused;
        }
        catch (SmtpCapabilityException e)
        {
            await stderr.WriteLineAsync($"error: not supported by the server ({e.Extension}): {e.Message}").ConfigureAwait(false);
            return NotSupported;
        }
        catch (SmtpProtocolException e)
        {
            await stderr.WriteLineAsync($"error: connection: {e.Message}").ConfigureAwait(false);
            return ProtocolFailure;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("error: cancelled.").ConfigureAwait(false);
            return ProtocolFailure;
        }
    }

    internal static SmtpClientOptions BuildClientOptions(MailSendOptions options) => new()
    {
        Host = options.Host,
        Port = options.Port,
        TlsMode = options.Tls,
        UseLmtp = options.Lmtp,
        Credentials = options.User is null ? null : SaslClientCredentials.FromPassword(options.User, options.Password!),

        // Only --insecure turns validation off; otherwise the default chain and host-name checks apply.
        RemoteCertificateValidation = options.Insecure ? static (_, _, _, _) => true : null,
    };

    private static async Task<int> SendOnceAsync(MailSendOptions options, SmtpClientOptions clientOptions, SmtpSendEnvelope envelope,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        await using var client = await SmtpClient.ConnectAsync(clientOptions, cancellationToken).ConfigureAwait(false);
        var result = await client.SendAsync(envelope, SmtpMessageContent.FromFile(options.File), cancellationToken).ConfigureAwait(false);
        foreach (var r in result.Recipients)
        {
            await stdout.WriteLineAsync($"{(r.Accepted ? "accepted" : "refused ")} {r.Recipient.Address}: {r.FinalReply}").ConfigureAwait(false);
        }

        await client.QuitAsync(cancellationToken).ConfigureAwait(false);
        if (result.AllAccepted)
        {
            return Ok;
        }

        int refused = result.Recipients.Count(r => !r.Accepted);
        await stderr.WriteLineAsync($"error: {refused} of {result.Recipients.Count} recipient(s) refused.").ConfigureAwait(false);
        return RecipientsRefused;
    }

    /// <summary>The load generator: N copies over C pooled connections, C workers pulling from one counter.</summary>
    private static async Task<int> SendManyAsync(MailSendOptions options, SmtpClientOptions clientOptions, SmtpSendEnvelope envelope,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var content = SmtpMessageContent.FromBytes(await File.ReadAllBytesAsync(options.File, cancellationToken).ConfigureAwait(false));
        await using var pool = new SmtpClientPool(clientOptions, options.Connections);
        int next = 0;
        long accepted = 0, refused = 0, failed = 0;
        Exception? firstFailure = null;
        SmtpRecipientResult? firstRefusal = null;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, options.Connections).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= options.Count)
            {
                try
                {
                    var result = await pool.SendAsync(envelope, content, cancellationToken).ConfigureAwait(false);
                    foreach (var r in result.Recipients)
                    {
                        if (r.Accepted)
                        {
                            Interlocked.Increment(ref accepted);
                        }
                        else
                        {
                            Interlocked.Increment(ref refused);
                            Interlocked.CompareExchange(ref firstRefusal, r, null);
                        }
                    }
                }
                catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or SmtpCapabilityException)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstFailure, e, null);
                }
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        clock.Stop();

        double seconds = clock.Elapsed.TotalSeconds;
        long messages = options.Count - failed;
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"sent {messages} of {options.Count} message(s) over {options.Connections} connection(s) in {seconds:F2} s: {messages / seconds:F0} messages/s; recipients accepted {accepted}, refused {refused}; failed sends {failed}"))
            .ConfigureAwait(false);
        if (failed > 0)
        {
            await stderr.WriteLineAsync($"error: {failed} send(s) failed; first: {firstFailure!.Message}").ConfigureAwait(false);
            return firstFailure is SmtpProtocolException ? ProtocolFailure : CommandRefused;
        }

        if (refused > 0)
        {
            await stderr.WriteLineAsync($"error: {refused} recipient(s) refused; first: {firstRefusal}").ConfigureAwait(false);
            return RecipientsRefused;
        }

        return Ok;
    }
}
