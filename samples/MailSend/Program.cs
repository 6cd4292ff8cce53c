namespace MailSend;

/// <summary>Entry point: sends an RFC 5322 file with Smtp.Core's client and reports every recipient's result.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await MailSendCommand.RunAsync(args, Console.Out, Console.Error, cancel.Token).ConfigureAwait(false);
    }
}
