using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Smtp.Core.Hosting.Tests.Support;
using Smtp.Core.Server;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Hosting.Tests;

/// <summary>A real generic host running AddSmtpServer, driven by Python's smtplib.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class ServerHostingTests
{
    [Test]
    public async Task Mail_from_smtplib_reaches_the_registered_store_through_the_host()
    {
        IHost host = TestHost.Build(TestHost.LoopbackSettings());
        IPEndPoint server = await TestHost.StartAsync(host);
        try
        {
            var result = (await Smtplib.RunAsync(server, Smtplib.SendScript, "1")).AssertSuccess();
            Assert.That(result.StandardOutput.Trim(), Is.EqualTo("[\"nobody@example.test\"]"), "the scoped mailbox filter refused nobody@ with 550");

            MessageSink sink = host.Services.GetRequiredService<MessageSink>();
            Assert.That(sink.Messages, Has.Count.EqualTo(1));
            ReceivedMessage message = sink.Messages.Single();
            Assert.Multiple(() =>
            {
                Assert.That(message.From, Is.EqualTo("sender@python.test"));
                Assert.That(message.Recipients, Is.EqualTo(new[] { "alice@example.test" }));
                Assert.That(message.ClientName, Is.EqualTo("python.test"));
                Assert.That(message.Body, Does.Contain("Subject: hosted 0\r\n"));
                Assert.That(message.Body, Does.EndWith("Hello from smtplib 0.\r\n.leading dot\r\n"), "dot-stuffed by smtplib, unstuffed by the server");
            });
        }
        finally
        {
            await TestHost.StopAsync(host);
        }
    }

    [Test]
    public async Task Each_session_gets_its_own_scope_shared_by_its_handlers_and_disposed_when_it_ends()
    {
        IHost host = TestHost.Build(TestHost.LoopbackSettings());
        IPEndPoint server = await TestHost.StartAsync(host);
        try
        {
            // Two messages on a first connection, one on a second.
            (await Smtplib.RunAsync(server, Smtplib.SendScript, "2", "1")).AssertSuccess();
            MessageSink sink = host.Services.GetRequiredService<MessageSink>();
            await TestHost.WaitUntilAsync(() => sink.Probes.Count == 2 && sink.Probes.All(p => p.IsDisposed), "both session scopes are disposed");

            ReceivedMessage[] messages = [.. sink.Messages];
            Assert.That(messages, Has.Length.EqualTo(3));
            Assert.Multiple(() =>
            {
                Assert.That(messages[0].SessionId, Is.EqualTo(messages[1].SessionId));
                Assert.That(messages[2].SessionId, Is.Not.EqualTo(messages[0].SessionId));
                Assert.That(messages[1].ProbeId, Is.EqualTo(messages[0].ProbeId), "one scope for the whole session, not one per message");
                Assert.That(messages[2].ProbeId, Is.Not.EqualTo(messages[0].ProbeId), "a new scope for the second session");
                foreach ((string sessionId, int probeId) in sink.FilterCalls)
                {
                    Assert.That(probeId, Is.EqualTo(messages.First(m => m.SessionId == sessionId).ProbeId), "the filter and the store share the session's scope");
                }
            });
        }
        finally
        {
            await TestHost.StopAsync(host);
        }
    }

    [Test]
    public async Task Stopping_the_host_answers_an_idle_client_421_and_disposes_its_scope()
    {
        IHost host = TestHost.Build(TestHost.LoopbackSettings());
        IPEndPoint server = await TestHost.StartAsync(host);
        bool stopped = false;
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(server);
            using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
            Assert.That(await reader.ReadLineAsync(), Does.StartWith("220 hosting.test"));
            await client.GetStream().WriteAsync("NOOP\r\n"u8.ToArray());
            Assert.That(await reader.ReadLineAsync(), Does.StartWith("250"));

            var hosted = host.Services.GetRequiredService<SmtpServerHostedService>();
            Assert.That(hosted.Server!.ActiveSessionCount, Is.EqualTo(1));
            Task stopping = TestHost.StopAsync(host);
            stopped = true;
            string? line = await reader.ReadLineAsync().WaitAsync(TestHost.Timeout);
            Assert.That(line, Does.StartWith("421 4.3.2"));
            Assert.That(await reader.ReadLineAsync().WaitAsync(TestHost.Timeout), Is.Null, "the server closed the connection");
            await stopping.WaitAsync(TestHost.Timeout);

            // The session touched no scoped handler, so nothing was created; the scope itself ended with the session.
            Assert.That(hosted.Server.ActiveSessionCount, Is.Zero);
        }
        finally
        {
            if (!stopped)
            {
                await TestHost.StopAsync(host);
            }
        }
    }

    [Test]
    public async Task A_message_in_transfer_when_the_host_stops_is_still_delivered()
    {
        IHost host = TestHost.Build(TestHost.LoopbackSettings());
        IPEndPoint server = await TestHost.StartAsync(host);
        bool stopped = false;
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(server);
            NetworkStream stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await reader.ReadLineAsync();
            foreach (string command in new[] { "HELO raw.test", "MAIL FROM:<raw@raw.test>", "RCPT TO:<bob@example.test>", "DATA" })
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
                Assert.That(await reader.ReadLineAsync(), Does.Match("^(250|354)"), command);
            }

            MessageSink sink = host.Services.GetRequiredService<MessageSink>();
            await stream.WriteAsync("Subject: in flight\r\n\r\nfirst half\r\n"u8.ToArray());
            Task stopping = TestHost.StopAsync(host);
            stopped = true;
            await Task.Delay(200);

            // A second stop (another shutdown path of the host) waits for the same sessions.
            SmtpServerHostedService service = host.Services.GetServices<IHostedService>().OfType<SmtpServerHostedService>().Single();
            Task again = service.StopAsync(CancellationToken.None);
            Assert.That(again.IsCompleted, Is.False, "a second StopAsync must not return while a transfer is in progress");
            await stream.WriteAsync("second half\r\n.\r\n"u8.ToArray());
            Assert.That(await reader.ReadLineAsync().WaitAsync(TestHost.Timeout), Does.StartWith("250"), "the transfer finished within the grace period");
            Assert.That(await reader.ReadLineAsync().WaitAsync(TestHost.Timeout), Does.StartWith("421 4.3.2"), "then the session was closed");
            await stopping.WaitAsync(TestHost.Timeout);
            await again.WaitAsync(TestHost.Timeout);

            Assert.That(sink.Messages.Single().Body, Does.EndWith("first half\r\nsecond half\r\n"));
            Assert.That(sink.Probes.Single().IsDisposed, Is.True, "the session's scope is disposed before the host finished stopping");
        }
        finally
        {
            if (!stopped)
            {
                await TestHost.StopAsync(host);
            }
        }
    }

    [Test]
    public async Task A_session_observer_from_ConfigureServer_runs_inside_the_session_scope()
    {
        var observed = new ConcurrentQueue<string>();
        MessageSink? sink = null;
        var observer = new DelegateObserver(
            started: context => observed.Enqueue("started " + context.SessionId),
            ended: context =>
            {
                // The scoped mailbox filter's probe belongs to this session's scope, which must still be alive here.
                int probeId = sink!.FilterCalls.First(c => c.SessionId == context.SessionId).ProbeId;
                bool disposed = sink.Probes.First(p => p.Id == probeId).IsDisposed;
                observed.Enqueue("ended " + context.SessionId + (disposed ? " after the scope" : " inside the scope"));
            });
        IHost host = TestHost.Build(TestHost.LoopbackSettings(), (_, smtp) => smtp.ConfigureServer((_, options) => options.SessionObserver = observer));
        IPEndPoint server = await TestHost.StartAsync(host);
        sink = host.Services.GetRequiredService<MessageSink>();
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(server);
            NetworkStream stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            Assert.That(await reader.ReadLineAsync().WaitAsync(TestHost.Timeout), Does.StartWith("220"));
            foreach (string command in new[] { "HELO raw.test", "MAIL FROM:<raw@raw.test>", "QUIT" })
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
                Assert.That(await reader.ReadLineAsync().WaitAsync(TestHost.Timeout), Does.Match("^(250|221)"), command);
            }

            await TestHost.WaitUntilAsync(() => observed.Count == 2 && sink.Probes.Single().IsDisposed, "the session ended and its scope is disposed");
            string sessionId = sink.FilterCalls.Single().SessionId;
            Assert.That(observed, Is.EqualTo(new[] { "started " + sessionId, "ended " + sessionId + " inside the scope" }));
        }
        finally
        {
            await TestHost.StopAsync(host);
        }
    }

    [Test]
    public async Task Limits_from_configuration_reach_the_server()
    {
        IHost host = TestHost.Build(TestHost.LoopbackSettings(("Smtp:Server:MaxMessageSize", "4096"), ("Smtp:Server:MaxRecipients", "1")));
        IPEndPoint server = await TestHost.StartAsync(host);
        try
        {
            const string script = """
                import sys, smtplib
                with smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=20) as s:
                    s.ehlo("python.test")
                    print("size", s.esmtp_features.get("size"))
                    s.mail("a@python.test")
                    print("rcpt1", s.rcpt("x@example.test")[0])
                    print("rcpt2", s.rcpt("y@example.test")[0])
                """;
            var result = (await Smtplib.RunAsync(server, script)).AssertSuccess();
            Assert.That(result.StandardOutput, Does.Contain("size 4096"));
            Assert.That(result.StandardOutput, Does.Contain("rcpt1 250"));
            Assert.That(result.StandardOutput, Does.Contain("rcpt2 452"), "MaxRecipients = 1");
        }
        finally
        {
            await TestHost.StopAsync(host);
        }
    }

    [Test]
    public async Task Lmtp_from_configuration_gives_one_reply_per_recipient_from_a_scoped_lmtp_store()
    {
        string swaks = ExternalTool.Require("swaks");
        IHost host = TestHost.Build(
            TestHost.LoopbackSettings(("Smtp:Server:Lmtp", "true")),
            (builder, smtp) =>
            {
                builder.Services.AddScoped<RecordingStore>();
                smtp.AddMessageStore<LmtpRecordingStore>();
            });
        IPEndPoint server = await TestHost.StartAsync(host);
        try
        {
            var result = await ExternalTool.RunAsync(swaks, [
                "--server", server.Address.ToString(), "--port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--protocol", "LMTP", "--helo", "swaks.test", "--from", "lmtp@swaks.test",
                "--to", "alice@example.test,full@example.test", "--timeout", "20"], TimeSpan.FromSeconds(60));
            Assert.That(result.TimedOut, Is.False, result.Describe());
            Assert.That(result.StandardOutput + result.StandardError, Does.Contain("LHLO swaks.test"));
            Assert.That(result.StandardOutput + result.StandardError, Does.Match(@"250 2\.0\.0[^\n]*\n[^\n]*452 4\.2\.2 Mailbox full"), "one reply per recipient, in order");
            Assert.That(host.Services.GetRequiredService<MessageSink>().Messages.Single().Recipients, Is.EqualTo(new[] { "alice@example.test", "full@example.test" }));
        }
        finally
        {
            await TestHost.StopAsync(host);
        }
    }

    [Test]
    public async Task Server_metrics_are_published_under_the_documented_meter_name()
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SmtpTelemetry.ServerMeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => seen.AddOrUpdate(instrument.Name, value, (_, old) => old + value));
        listener.Start();

        IHost host = TestHost.Build(TestHost.LoopbackSettings());
        IPEndPoint server = await TestHost.StartAsync(host);
        try
        {
            (await Smtplib.RunAsync(server, Smtplib.SendScript, "1")).AssertSuccess();
        }
        finally
        {
            await TestHost.StopAsync(host);
        }

        Assert.That(seen.GetValueOrDefault("smtp.server.connections"), Is.GreaterThanOrEqualTo(1));
        Assert.That(seen.GetValueOrDefault("smtp.server.messages.accepted"), Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task ConfigureServer_adjusts_the_options_built_from_configuration()
    {
        IHost host = TestHost.Build(
            TestHost.LoopbackSettings(("Smtp:Server:MaxMessageSize", "4096")),
            (_, smtp) => smtp.ConfigureServer((_, options) => options.MaxMessageSize = options.MaxMessageSize / 2));
        IPEndPoint server = await TestHost.StartAsync(host);
        try
        {
            const string script = """
                import sys, smtplib
                with smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=20) as s:
                    s.ehlo("python.test")
                    print("size", s.esmtp_features.get("size"))
                """;
            var result = (await Smtplib.RunAsync(server, script)).AssertSuccess();
            Assert.That(result.StandardOutput, Does.Contain("size 2048"));
        }
        finally
        {
            await TestHost.StopAsync(host);
        }
    }

    [Test]
    public async Task Server_logs_flow_to_the_host_logger()
    {
        var logs = new CapturingLoggerProvider();
        IHost host = TestHost.Build(TestHost.LoopbackSettings(), logs: logs);
        IPEndPoint server = await TestHost.StartAsync(host);
        try
        {
            (await Smtplib.RunAsync(server, Smtplib.SendScript, "1")).AssertSuccess();
        }
        finally
        {
            await TestHost.StopAsync(host);
        }

        Assert.That(logs.Entries.Where(e => e.Category == SmtpTelemetry.HostingLogCategory).Select(e => e.Message),
            Has.Some.Contains("Test listening on 127.0.0.1:" + server.Port));
        Assert.That(logs.Entries.Where(e => e.Category == SmtpTelemetry.ServerLogCategory).Select(e => e.Message),
            Has.Some.Contains("C: mail FROM:<sender@python.test>"), "the session transcript at Trace level");
    }

    private sealed class DelegateObserver(Action<ISmtpSessionContext> started, Action<ISmtpSessionContext> ended) : ISmtpSessionObserver
    {
        public ValueTask SessionStartedAsync(ISmtpSessionContext context, CancellationToken cancellationToken)
        {
            started(context);
            return ValueTask.CompletedTask;
        }

        public ValueTask SessionEndedAsync(ISmtpSessionContext context, CancellationToken cancellationToken)
        {
            ended(context);
            return ValueTask.CompletedTask;
        }
    }
}
