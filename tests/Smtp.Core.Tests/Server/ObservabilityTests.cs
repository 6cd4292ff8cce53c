using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Smtp.Core.Protocol;
using Smtp.Core.Server;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

public sealed class ObservabilityTests
{
    [Test]
    public async Task The_trace_transcript_has_both_directions_and_never_the_auth_secret()
    {
        var logs = new ListLoggerFactory();
        await using (var h = new SessionHarness(o => o.LoggerFactory = logs))
        {
            await h.GreetAsync();
            await h.CommandAsync("AUTH PLAIN AGJvYgBzZWNyZXQ=");
            await h.CommandAsync("MAIL FROM:<a@b.c>");
            await h.CommandAsync("QUIT");
        }

        string[] trace = logs.Entries.Where(e => e.Level == LogLevel.Trace).Select(e => e.Message).ToArray();
        Assert.That(trace, Has.Some.EndsWith("C: MAIL FROM:<a@b.c>"));
        Assert.That(trace, Has.Some.Contains("S: 250 2.1.0 Sender OK"));
        Assert.That(trace, Has.Some.EndsWith("C: AUTH PLAIN ***"));
        Assert.That(logs.Entries.Select(e => e.Message), Has.None.Contains("AGJvYgBzZWNyZXQ"));
        Assert.That(logs.Entries.Select(e => e.Id.Id), Has.All.InRange(1000, 1099));
    }

    [Test]
    public async Task Messages_bytes_and_durations_are_measured()
    {
        var measured = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Smtp.Core.Server")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, value, _, _) =>
        {
            lock (measured)
            {
                measured[i.Name] = measured.GetValueOrDefault(i.Name) + value;
            }
        });
        listener.SetMeasurementEventCallback<double>((i, _, _, _) =>
        {
            lock (measured)
            {
                measured[i.Name] = measured.GetValueOrDefault(i.Name) + 1;
            }
        });
        listener.Start();

        await using (var h = new SessionHarness())
        {
            await h.GreetAsync();
            await h.RunAsync("""
                C: MAIL FROM:<a@b.c>
                C: RCPT TO:<d@e.f>
                C: DATA
                S: 250
                S: 250
                S: 354
                C: hello
                C: .
                S: 250
                C: QUIT
                S: 221
                """);
        }

        lock (measured)
        {
            Assert.That(measured.GetValueOrDefault("smtp.server.connections"), Is.GreaterThanOrEqualTo(1));
            Assert.That(measured.GetValueOrDefault("smtp.server.messages.accepted"), Is.GreaterThanOrEqualTo(1));
            Assert.That(measured.GetValueOrDefault("smtp.server.bytes.received"), Is.GreaterThanOrEqualTo(10));
            Assert.That(measured.GetValueOrDefault("smtp.server.command.duration"), Is.GreaterThanOrEqualTo(3));
            Assert.That(measured.GetValueOrDefault("smtp.server.session.duration"), Is.GreaterThanOrEqualTo(1));
        }
    }

    [Test]
    public async Task Sessions_and_transactions_are_traced_as_activities()
    {
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Smtp.Core.Server",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (stopped)
                {
                    stopped.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using (var h = new SessionHarness())
        {
            await h.GreetAsync();
            await h.RunAsync("""
                C: MAIL FROM:<a@b.c>
                C: RCPT TO:<d@e.f>
                C: DATA
                S: 250
                S: 250
                S: 354
                C: hello
                C: .
                S: 250
                C: QUIT
                S: 221
                """);
        }

        lock (stopped)
        {
            Activity session = stopped.Last(a => a.OperationName == "smtp.session");
            Activity transaction = stopped.Last(a => a.OperationName == "smtp.transaction");
            Assert.That(transaction.ParentSpanId, Is.EqualTo(session.SpanId));
            Assert.That(transaction.GetTagItem("smtp.message.accepted"), Is.EqualTo(true));
        }
    }

    [Test]
    public void Every_verb_has_a_precomputed_metric_name_and_the_same_instance_each_time()
    {
        foreach (SmtpVerb verb in Enum.GetValues<SmtpVerb>())
        {
            string expected = verb == SmtpVerb.None ? "unknown" : verb.ToString().ToUpperInvariant();
            string first = SmtpSession.VerbName(verb);
            string second = SmtpSession.VerbName(verb);
            Assert.That(first, Is.EqualTo(expected));
            Assert.That(second, Is.SameAs(first), "a string made per command");
        }
    }
}
