namespace Smtp.Core.Hosting;

/// <summary>
/// The names under which Smtp.Core publishes logs, metrics and traces, for a host's OpenTelemetry set-up:
/// <c>.WithMetrics(m =&gt; m.AddMeter(SmtpTelemetry.ServerMeterName))</c>,
/// <c>.WithTracing(t =&gt; t.AddSource(SmtpTelemetry.ServerActivitySourceName))</c>.
/// </summary>
/// <remarks>
/// The server's meter (<c>System.Diagnostics.Metrics</c>) publishes <c>smtp.server.connections</c> (tag
/// <c>outcome</c>), <c>smtp.server.active_sessions</c>, <c>smtp.server.messages.accepted</c>,
/// <c>smtp.server.messages.rejected</c>, <c>smtp.server.bytes.received</c>, <c>smtp.server.command.duration</c> (tag
/// verb) and <c>smtp.server.session.duration</c>; its activity source starts one <c>smtp.session</c> activity per
/// session. The client publishes logs only.
/// </remarks>
public static class SmtpTelemetry
{
    /// <summary>The server's meter name.</summary>
    public const string ServerMeterName = "Smtp.Core.Server";

    /// <summary>The server's activity source name (one <c>smtp.session</c> activity per session).</summary>
    public const string ServerActivitySourceName = "Smtp.Core.Server";

    /// <summary>The server's log category (sessions, transcript at Trace level with AUTH redacted).</summary>
    public const string ServerLogCategory = "Smtp.Core.Server";

    /// <summary>The hosting layer's log category (listening endpoints, start and stop).</summary>
    public const string HostingLogCategory = "Smtp.Core.Hosting";

    /// <summary>The pooled client's log category (transcript at Trace level, AUTH never logged).</summary>
    public const string ClientLogCategory = "Smtp.Core.Client";
}
