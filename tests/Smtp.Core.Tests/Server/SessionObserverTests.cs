using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Smtp.Core.Server;
using Smtp.Core.Tests.Support;

namespace Smtp.Core.Tests.Server;

public sealed class SessionObserverTests
{
    [Test]
    public async Task Start_and_end_run_once_around_every_handler_call_of_a_session_that_quits()
    {
        var observer = new RecordingObserver();
        var marker = new object();
        observer.OnStarted = (context, _) =>
        {
            context.Properties["marker"] = marker;
            return ValueTask.CompletedTask;
        };
        SmtpServer? server = null;
        int activeAtEnd = -1;
        observer.OnEnded = (_, _) =>
        {
            // Still registered: StopAsync and the session's task wait for the end callback.
            activeAtEnd = server!.ActiveSessionCount;
            return ValueTask.CompletedTask;
        };
        await using var h = new SessionHarness(o =>
        {
            o.SessionObserver = observer;
            o.ConnectionFilter = ConnectionFilter.FromDelegate((c, _) => Handler(observer, c, "connect", marker));
            o.MailboxFilter = MailboxFilter.FromDelegates(
                canAcceptFrom: (c, _, _) => Handler(observer, c, "from", marker),
                canDeliverTo: (c, _, _, _) => Handler(observer, c, "to", marker));
            o.MessageStore = MessageStore.FromDelegate(async (c, _, body, _) =>
            {
                await DrainAsync(body);
                return await Handler(observer, c, "store", marker);
            });
        });
        server = h.Server;
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            C: RCPT TO:<d@e.f>
            S: 250
            S: 250
            C: DATA
            S: 354
            C: hi
            C: .
            S: 250
            C: QUIT
            S: 221
            S: <closed>
            """);
        await h.Session.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(observer.Events, Is.EqualTo(new[] { "started", "connect", "from", "to", "store", "ended" }));
        Assert.That(observer.Contexts.Distinct().Count(), Is.EqualTo(1), "one context instance for the callbacks and every handler");
        Assert.That(activeAtEnd, Is.EqualTo(1));
        Assert.That(observer.EndTokensCancelled.Single(), Is.False);
    }

    [Test]
    public async Task End_runs_once_after_the_store_when_the_client_drops_in_the_middle_of_data()
    {
        var observer = new RecordingObserver();
        var bodyStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var h = new SessionHarness(o =>
        {
            o.SessionObserver = observer;
            o.MessageStore = MessageStore.FromDelegate(async (_, _, body, _) =>
            {
                bodyStarted.TrySetResult();
                try
                {
                    await DrainAsync(body);
                    return SmtpResult.Accept();
                }
                finally
                {
                    observer.Record("store returned");
                }
            });
        });
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            C: RCPT TO:<d@e.f>
            S: 250
            S: 250
            C: DATA
            S: 354
            C: part of a message
            """);
        await bodyStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await h.CloseAsync();
        await h.Session.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(observer.Events, Is.EqualTo(new[] { "started", "store returned", "ended" }));
    }

    [Test]
    public async Task End_runs_once_after_a_command_timeout()
    {
        var observer = new RecordingObserver();
        await using var h = new SessionHarness(o => o.SessionObserver = observer);
        await h.GreetAsync();
        await SessionLimitsTests.WaitUntilAsync(() => h.Time.ArmedTimerCount > 0);
        h.Time.Advance(h.Options.CommandTimeout);
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.4.2"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
        await h.Session.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(observer.Events, Is.EqualTo(new[] { "started", "ended" }));
    }

    [Test]
    public async Task Stop_returns_only_after_the_end_callback_of_every_idle_session()
    {
        var observer = new RecordingObserver();
        var server = new SmtpServer(new SmtpServerOptions { ServerName = "mx.test", SessionObserver = observer });
        await using var first = new SessionHarness(server);
        await using var second = new SessionHarness(server);
        await first.GreetAsync();
        Assert.That(await second.ReadReplyAsync(), Does.StartWith("220"));

        await server.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(observer.EndedIds, Has.Count.EqualTo(2));
        Assert.That(observer.EndedIds, Is.EquivalentTo(observer.StartedIds));
        Assert.That(await first.ReadReplyAsync(), Does.StartWith("421 4.3.2"));
        Assert.That(await second.ReadReplyAsync(), Does.StartWith("421 4.3.2"));
        Assert.That(observer.EndTokensCancelled, Has.All.False, "a graceful stop is not an abort");
    }

    [Test]
    public async Task An_aborted_session_ends_once_with_a_cancelled_token()
    {
        var observer = new RecordingObserver();
        var server = new SmtpServer(new SmtpServerOptions { ServerName = "mx.test", SessionObserver = observer });
        using var abort = new CancellationTokenSource();
        await using var h = new SessionHarness(server, cancellationToken: abort.Token);
        await h.GreetAsync();
        await abort.CancelAsync();
        while (await h.ReadLineAsync() is not null)
        {
        }

        await h.Session.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(observer.Events, Is.EqualTo(new[] { "started", "ended" }));
        Assert.That(observer.EndTokensCancelled.Single(), Is.True);
    }

    [Test]
    public async Task After_an_abort_the_end_callback_waits_for_a_store_that_ignores_its_token()
    {
        var time = new ManualTimeProvider();
        var observer = new RecordingObserver();
        var release = new TaskCompletionSource<SmtpResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bodyRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new SmtpServer(new SmtpServerOptions
        {
            ServerName = "mx.test",
            TimeProvider = time,
            ShutdownGracePeriod = TimeSpan.FromSeconds(5),
            SessionObserver = observer,
            MessageStore = MessageStore.FromDelegate(async (_, _, body, _) =>
            {
                await DrainAsync(body);
                bodyRead.SetResult();
                SmtpResult result = await release.Task;
                observer.Record("store returned");
                return result;
            }),
        });
        await using var h = new SessionHarness(server);
        await h.GreetAsync();
        await h.RunAsync("""
            C: MAIL FROM:<a@b.c>
            C: RCPT TO:<d@e.f>
            S: 250
            S: 250
            C: DATA
            S: 354
            C: x
            C: .
            """);
        await bodyRead.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Task stop = server.StopAsync();
        await SessionLimitsTests.WaitUntilAsync(() => time.ArmedTimerCount >= 2);
        time.Advance(TimeSpan.FromSeconds(5));
        await stop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(observer.Events, Is.EqualTo(new[] { "started" }), "the session's resources must outlive the store still running");

        release.SetResult(SmtpResult.Accept());
        await SessionLimitsTests.WaitUntilAsync(() => observer.Events.Count == 3, () => string.Join(", ", observer.Events));
        Assert.That(observer.Events, Is.EqualTo(new[] { "started", "store returned", "ended" }));
        Assert.That(observer.EndTokensCancelled.Single(), Is.True);
    }

    [Test]
    public async Task A_throwing_start_callback_refuses_the_client_with_421_and_is_still_paired_with_end()
    {
        var logs = new ListLoggerFactory();
        var observer = new RecordingObserver { OnStarted = (_, _) => throw new InvalidOperationException("no database") };
        bool filterCalled = false;
        await using var h = new SessionHarness(o =>
        {
            o.LoggerFactory = logs;
            o.SessionObserver = observer;
            o.ConnectionFilter = ConnectionFilter.FromDelegate((_, _) =>
            {
                filterCalled = true;
                return ValueTask.FromResult(SmtpResult.Accept());
            });
        });

        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.3.0 mx.test"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
        await h.Session.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(filterCalled, Is.False);
        Assert.That(observer.Events, Is.EqualTo(new[] { "started", "ended" }));
        Assert.That(logs.Entries.Any(e => e.Level == LogLevel.Error && e.Id.Id == 1007), Is.True, "the failure is logged");
    }

    [Test]
    public async Task A_start_callback_that_never_completes_is_refused_after_the_command_timeout_and_ended_when_it_returns()
    {
        var observer = new RecordingObserver();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        observer.OnStarted = async (_, _) =>
        {
            // Deaf to its token, like a host stuck on I/O.
            await release.Task;
            observer.Record("start returned");
        };
        await using var h = new SessionHarness(o => o.SessionObserver = observer);
        await SessionLimitsTests.WaitUntilAsync(() => h.Time.ArmedTimerCount > 0);
        h.Time.Advance(h.Options.CommandTimeout);
        Assert.That(await h.ReadReplyAsync(), Does.StartWith("421 4.3.0"));
        Assert.That(await h.ServerClosedAsync(), Is.True);
        await h.Session.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(observer.Events, Is.EqualTo(new[] { "started" }));

        release.SetResult();
        await SessionLimitsTests.WaitUntilAsync(() => observer.Events.Count == 3, () => string.Join(", ", observer.Events));
        Assert.That(observer.Events, Is.EqualTo(new[] { "started", "start returned", "ended" }));
    }

    [Test]
    public async Task A_throwing_end_callback_is_logged_and_the_server_goes_on()
    {
        var logs = new ListLoggerFactory();
        var observer = new RecordingObserver { OnEnded = (_, _) => throw new InvalidOperationException("dispose failed") };
        var server = new SmtpServer(new SmtpServerOptions { ServerName = "mx.test", LoggerFactory = logs, SessionObserver = observer });
        await using (var first = new SessionHarness(server))
        {
            await first.GreetAsync();
            Assert.That(await first.CommandAsync("QUIT"), Does.StartWith("221"));
            await first.Session.WaitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.That(logs.Entries.Any(e => e.Level == LogLevel.Error && e.Id.Id == 1007), Is.True, "the failure is logged");
        await using var second = new SessionHarness(server);
        await second.GreetAsync();
        Assert.That(observer.StartedIds, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Over_the_socket_listener_every_session_is_paired_whatever_ends_it()
    {
        var observer = new RecordingObserver();
        var options = new SmtpServerOptions { ServerName = "mx.test", SessionObserver = observer };
        options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)));
        var server = new SmtpServer(options);
        await using (server)
        {
            await server.StartAsync();
            IPEndPoint endPoint = server.LocalEndPoints.Single();

            // One client quits, one drops the connection, one is idle when the server stops.
            await using (var quitting = await LineClient.ConnectAsync(endPoint))
            {
                Assert.That(await quitting.ReadLineAsync(), Does.StartWith("220 mx.test"));
                await quitting.SendAsync("QUIT\r\n");
                Assert.That(await quitting.ReadLineAsync(), Does.StartWith("221"));
                Assert.That(await quitting.ReadLineAsync(), Is.Null);
            }

            await using (var dropping = await LineClient.ConnectAsync(endPoint))
            {
                Assert.That(await dropping.ReadLineAsync(), Does.StartWith("220 mx.test"));
                await dropping.SendAsync("EHLO client.test\r\n");
                Assert.That(await dropping.ReadLineAsync(), Does.StartWith("250-"));
            }

            await SessionLimitsTests.WaitUntilAsync(() => observer.EndedIds.Count == 2, () => string.Join(", ", observer.Events));
            await using var idle = await LineClient.ConnectAsync(endPoint);
            Assert.That(await idle.ReadLineAsync(), Does.StartWith("220 mx.test"));
            await server.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.That(await idle.ReadLineAsync(), Does.StartWith("421 4.3.2"));
        }

        Assert.That(observer.StartedIds, Has.Count.EqualTo(3));
        Assert.That(observer.EndedIds, Is.EquivalentTo(observer.StartedIds), "each session ended exactly once");
        Assert.That(observer.Contexts.Select(c => c.RemoteEndPoint), Has.All.InstanceOf<IPEndPoint>());
    }

    [Test]
    public async Task Over_the_socket_listener_a_throwing_start_callback_is_answered_421()
    {
        var observer = new RecordingObserver { OnStarted = (_, _) => ValueTask.FromException(new InvalidOperationException("no database")) };
        var options = new SmtpServerOptions { ServerName = "mx.test", SessionObserver = observer };
        options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)));
        await using var server = new SmtpServer(options);
        await server.StartAsync();

        await using var client = await LineClient.ConnectAsync(server.LocalEndPoints.Single());
        Assert.That(await client.ReadLineAsync(), Does.StartWith("421 4.3.0"));
        Assert.That(await client.ReadLineAsync(), Is.Null);
        await SessionLimitsTests.WaitUntilAsync(() => observer.EndedIds.Count == 1, () => string.Join(", ", observer.Events));
        Assert.That(observer.EndedIds, Is.EquivalentTo(observer.StartedIds));
    }

    [Test]
    public async Task A_start_callback_that_blocks_its_thread_does_not_delay_the_next_connection()
    {
        // The first session's start callback blocks its thread (a synchronous lookup, say) until the test releases
        // it: the listener must still accept and greet the second connection meanwhile.
        using var release = new ManualResetEventSlim();
        int calls = 0;
        var observer = new RecordingObserver
        {
            OnStarted = (_, _) =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    release.Wait(TimeSpan.FromSeconds(20));
                }

                return ValueTask.CompletedTask;
            },
        };
        var options = new SmtpServerOptions { ServerName = "mx.test", SessionObserver = observer };
        options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)));
        await using var server = new SmtpServer(options);
        await server.StartAsync();
        IPEndPoint endPoint = server.LocalEndPoints.Single();

        await using var first = await LineClient.ConnectAsync(endPoint);
        await SessionLimitsTests.WaitUntilAsync(() => Volatile.Read(ref calls) > 0);
        await using var second = await LineClient.ConnectAsync(endPoint);
        Assert.That(await second.ReadLineAsync(), Does.StartWith("220 mx.test"));

        release.Set();
        Assert.That(await first.ReadLineAsync(), Does.StartWith("220 mx.test"));
    }

    private static ValueTask<SmtpResult> Handler(RecordingObserver observer, ISmtpSessionContext context, string name, object marker)
    {
        Assert.That(context.Properties["marker"], Is.SameAs(marker), $"{name} sees the state the start callback set");
        observer.Record(name, context);
        return ValueTask.FromResult(SmtpResult.Accept());
    }

    private static async Task DrainAsync(PipeReader body)
    {
        while (true)
        {
            ReadResult read = await body.ReadAsync();
            body.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Records the callbacks (and whatever the test's handlers add) in order, per session.</summary>
    private sealed class RecordingObserver : ISmtpSessionObserver
    {
        private readonly ConcurrentQueue<string> _events = new();
        private readonly ConcurrentQueue<ISmtpSessionContext> _contexts = new();
        private readonly ConcurrentQueue<string> _started = new();
        private readonly ConcurrentQueue<string> _ended = new();
        private readonly ConcurrentQueue<bool> _endTokens = new();

        public Func<ISmtpSessionContext, CancellationToken, ValueTask>? OnStarted { get; set; }

        public Func<ISmtpSessionContext, CancellationToken, ValueTask>? OnEnded { get; set; }

        public IReadOnlyList<string> Events => [.. _events];

        public IReadOnlyList<ISmtpSessionContext> Contexts => [.. _contexts];

        public IReadOnlyList<string> StartedIds => [.. _started];

        public IReadOnlyList<string> EndedIds => [.. _ended];

        public IReadOnlyList<bool> EndTokensCancelled => [.. _endTokens];

        public void Record(string name, ISmtpSessionContext? context = null)
        {
            _events.Enqueue(name);
            if (context is not null)
            {
                _contexts.Enqueue(context);
            }
        }

        public ValueTask SessionStartedAsync(ISmtpSessionContext context, CancellationToken cancellationToken)
        {
            _started.Enqueue(context.SessionId);
            Record("started", context);
            return OnStarted?.Invoke(context, cancellationToken) ?? ValueTask.CompletedTask;
        }

        public async ValueTask SessionEndedAsync(ISmtpSessionContext context, CancellationToken cancellationToken)
        {
            _ended.Enqueue(context.SessionId);
            _endTokens.Enqueue(cancellationToken.IsCancellationRequested);
            try
            {
                if (OnEnded is not null)
                {
                    await OnEnded(context, cancellationToken);
                }
            }
            finally
            {
                Record("ended", context);
            }
        }
    }

    /// <summary>A TCP client that reads reply lines, with a timeout on every read.</summary>
    private sealed class LineClient : IAsyncDisposable
    {
        private readonly TcpClient _client;
        private readonly NetworkStream _stream;
        private readonly StreamReader _reader;

        private LineClient(TcpClient client)
        {
            _client = client;
            _stream = client.GetStream();
            _reader = new StreamReader(_stream, Encoding.ASCII);
        }

        public static async Task<LineClient> ConnectAsync(IPEndPoint endPoint)
        {
            var client = new TcpClient();
            await client.ConnectAsync(endPoint);
            return new LineClient(client);
        }

        public async Task<string?> ReadLineAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await _reader.ReadLineAsync(timeout.Token);
        }

        public async Task SendAsync(string text) => await _stream.WriteAsync(Encoding.ASCII.GetBytes(text));

        public async ValueTask DisposeAsync()
        {
            _reader.Dispose();
            await _stream.DisposeAsync();
            _client.Dispose();
        }
    }
}
