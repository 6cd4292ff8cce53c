using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Smtp.Core.Server;

/// <summary>The server's meter and activity source, both named <c>Smtp.Core.Server</c>.</summary>
internal static class SmtpServerMetrics
{
    public const string Name = "Smtp.Core.Server";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter s_meter = new(Name);

    public static readonly Counter<long> Connections = s_meter.CreateCounter<long>("smtp.server.connections", "{connection}", "Connections, tagged with outcome accepted or refused.");

    public static readonly UpDownCounter<long> ActiveSessions = s_meter.CreateUpDownCounter<long>("smtp.server.active_sessions", "{session}", "Sessions in progress.");

    public static readonly Counter<long> MessagesAccepted = s_meter.CreateCounter<long>("smtp.server.messages.accepted", "{message}", "Messages the store accepted.");

    public static readonly Counter<long> MessagesRejected = s_meter.CreateCounter<long>("smtp.server.messages.rejected", "{message}", "Message bodies refused by the store or by a limit.");

    public static readonly Counter<long> BytesReceived = s_meter.CreateCounter<long>("smtp.server.bytes.received", "By", "Message body octets received (before unstuffing).");

    public static readonly Histogram<double> CommandDuration = s_meter.CreateHistogram<double>("smtp.server.command.duration", "s", "Time to process one command, host calls included, tagged with the verb.");

    public static readonly Histogram<double> SessionDuration = s_meter.CreateHistogram<double>("smtp.server.session.duration", "s", "Duration of a session.");
}
