using System.Net;
using System.Net.Sockets;
using System.Text;
using Smtp.Core.Server;
using Smtp.Core.Storage;

namespace Smtp.Core.Tests.Server;

public sealed class SocketSmokeTests
{
    [Test]
    public async Task A_tcp_client_can_greet_send_a_message_and_quit()
    {
        var store = new InMemoryMessageStore();
        var options = new SmtpServerOptions { ServerName = "mx.test", MessageStore = store };
        options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)));
        await using var server = new SmtpServer(options);
        await server.StartAsync();
        IPEndPoint bound = server.LocalEndPoints.Single();
        Assert.That(bound.Port, Is.Not.Zero);

        using var client = new TcpClient();
        await client.ConnectAsync(bound);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        async Task<string> Line() => await reader.ReadLineAsync(timeout.Token) ?? "<eof>";
        async Task Send(string text) => await stream.WriteAsync(Encoding.ASCII.GetBytes(text), timeout.Token);

        Assert.That(await Line(), Is.EqualTo("220 mx.test ESMTP Service ready"));
        await Send("EHLO client.test\r\n");
        string line;
        do
        {
            line = await Line();
        }
        while (line.StartsWith("250-", StringComparison.Ordinal));
        Assert.That(line, Is.EqualTo("250 DSN"));
        await Send("MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\n");
        Assert.That(await Line(), Does.StartWith("250 2.1.0"));
        Assert.That(await Line(), Does.StartWith("250 2.1.5"));
        Assert.That(await Line(), Does.StartWith("354"));
        await Send("Subject: t\r\n\r\nhi\r\n.\r\nQUIT\r\n");
        Assert.That(await Line(), Does.StartWith("250 2.0.0"));
        Assert.That(await Line(), Does.StartWith("221 2.0.0"));
        Assert.That(await Line(), Is.EqualTo("<eof>"));
        Assert.That(Encoding.ASCII.GetString(store.Messages.Single().Body.Span), Is.EqualTo("Subject: t\r\n\r\nhi\r\n"));
        Assert.That(store.Messages.Single().RemoteEndPoint, Is.InstanceOf<IPEndPoint>());
    }

    [Test]
    public async Task Concurrent_pipelining_clients_all_get_their_messages_stored()
    {
        var store = new InMemoryMessageStore(capacity: 1000);
        var options = new SmtpServerOptions { ServerName = "mx.test", MessageStore = store };
        options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)));
        await using var server = new SmtpServer(options);
        await server.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        async Task Client(int id)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(server.LocalEndPoints[0], timeout.Token);
            using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await reader.ReadLineAsync(timeout.Token);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("EHLO c" + id + ".test\r\n"), timeout.Token);
            while ((await reader.ReadLineAsync(timeout.Token))!.StartsWith("250-", StringComparison.Ordinal))
            {
            }

            for (int m = 0; m < 20; m++)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"MAIL FROM:<c{id}@b.c>\r\nRCPT TO:<d@e.f>\r\nBDAT 11 LAST\r\nmsg {id:D2}-{m:D2}\r\n"), timeout.Token);
                for (int r = 0; r < 3; r++)
                {
                    Assert.That(await reader.ReadLineAsync(timeout.Token), Does.StartWith("250"));
                }
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes("QUIT\r\n"), timeout.Token);
            Assert.That(await reader.ReadLineAsync(timeout.Token), Does.StartWith("221"));
        }

        await Task.WhenAll(Enumerable.Range(0, 10).Select(Client));
        var bodies = store.Messages.Select(m => Encoding.ASCII.GetString(m.Body.Span)).Order().ToArray();
        var expected = Enumerable.Range(0, 10).SelectMany(c => Enumerable.Range(0, 20).Select(m => $"msg {c:D2}-{m:D2}\r\n")).Order().ToArray();
        Assert.That(bodies, Is.EqualTo(expected));
    }

    [Test]
    public async Task A_connection_filter_that_blocks_its_thread_does_not_delay_the_next_connection()
    {
        // The first connection's filter blocks its thread (a synchronous lookup, say) until the test releases it:
        // the listener must still accept and greet the second connection meanwhile.
        using var release = new ManualResetEventSlim();
        int calls = 0;
        var options = new SmtpServerOptions
        {
            ServerName = "mx.test",
            MessageStore = new InMemoryMessageStore(),
            ConnectionFilter = ConnectionFilter.FromDelegate((_, _) =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    release.Wait(TimeSpan.FromSeconds(20));
                }

                return ValueTask.FromResult(SmtpResult.Accept());
            }),
        };
        options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)));
        await using var server = new SmtpServer(options);
        await server.StartAsync();
        IPEndPoint bound = server.LocalEndPoints.Single();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        using var first = new TcpClient();
        await first.ConnectAsync(bound);
        while (Volatile.Read(ref calls) == 0)
        {
            await Task.Delay(10, timeout.Token);
        }

        using var second = new TcpClient();
        await second.ConnectAsync(bound);
        using var secondReader = new StreamReader(second.GetStream(), Encoding.ASCII);
        Assert.That(await secondReader.ReadLineAsync(timeout.Token), Is.EqualTo("220 mx.test ESMTP Service ready"));

        release.Set();
        using var firstReader = new StreamReader(first.GetStream(), Encoding.ASCII);
        Assert.That(await firstReader.ReadLineAsync(timeout.Token), Is.EqualTo("220 mx.test ESMTP Service ready"));
    }

    [Test]
    public async Task Commands_sent_before_the_greeting_never_run_host_code_on_the_accept_loop()
    {
        // Plain endpoint, no connection filter: sessions start inline on the accept loop. A client that sends its
        // commands blind (before reading the greeting) must not get the host's MAIL filter run there, where a slow
        // filter would hold up every other connection.
        int calls = 0, onAcceptLoop = 0;
        var options = new SmtpServerOptions
        {
            ServerName = "mx.test",
            MessageStore = new InMemoryMessageStore(),
            MailboxFilter = MailboxFilter.FromDelegates(canAcceptFrom: (_, _, _) =>
            {
                Interlocked.Increment(ref calls);
                if (new System.Diagnostics.StackTrace().ToString().Contains("SmtpServer.AcceptLoopAsync", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref onAcceptLoop);
                }

                return ValueTask.FromResult(SmtpResult.Accept());
            }),
        };
        options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)));
        await using var server = new SmtpServer(options);
        await server.StartAsync();
        IPEndPoint bound = server.LocalEndPoints.Single();

        var talkers = new List<Socket>();
        try
        {
            for (int i = 0; i < 20; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                talkers.Add(socket);
                await socket.ConnectAsync(bound);
                await socket.SendAsync(Encoding.ASCII.GetBytes("EHLO x\r\nMAIL FROM:<a@b.c>\r\n"));
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (Volatile.Read(ref calls) < talkers.Count)
            {
                await Task.Delay(10, timeout.Token);
            }
        }
        finally
        {
            talkers.ForEach(s => s.Dispose());
        }

        Assert.That(calls, Is.EqualTo(20));
        Assert.That(onAcceptLoop, Is.Zero);
    }

    [Test]
    public async Task Binding_a_port_in_use_names_the_endpoint()
    {
        using var blocker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blocker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        blocker.Listen();
        var taken = (IPEndPoint)blocker.LocalEndPoint!;
        var options = new SmtpServerOptions { ServerName = "mx.test" };
        options.Endpoints.Add(new SmtpEndpoint(taken));
        await using var server = new SmtpServer(options);
        var ex = Assert.ThrowsAsync<IOException>(() => server.StartAsync());
        Assert.That(ex!.Message, Does.Contain(taken.ToString()));
    }

    [Test]
    public async Task Several_endpoints_including_ipv6_are_bound()
    {
        var options = new SmtpServerOptions { ServerName = "mx.test" };
        options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)));
        bool ipv6 = Socket.OSSupportsIPv6;
        if (ipv6)
        {
            options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.IPv6Loopback, 0)));
        }

        await using var server = new SmtpServer(options);
        try
        {
            await server.StartAsync();
        }
        catch (IOException) when (ipv6)
        {
            Assert.Ignore("IPv6 loopback is not configured on this machine");
        }

        Assert.That(server.LocalEndPoints, Has.Count.EqualTo(options.Endpoints.Count));
        foreach (IPEndPoint endPoint in server.LocalEndPoints)
        {
            using var client = new TcpClient(endPoint.AddressFamily);
            await client.ConnectAsync(endPoint);
            using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
            Assert.That(await reader.ReadLineAsync(), Does.StartWith("220 mx.test"));
        }
    }

    [Test]
    public void Consecutive_accept_failures_back_off_from_10_ms_doubling_to_1_s()
    {
        var delays = new List<TimeSpan>();
        TimeSpan delay = TimeSpan.Zero;
        for (int i = 0; i < 9; i++)
        {
            delay = SmtpServer.NextAcceptBackoff(delay);
            delays.Add(delay);
        }

        Assert.That(delays.Select(d => (int)d.TotalMilliseconds), Is.EqualTo(new[] { 10, 20, 40, 80, 160, 320, 640, 1000, 1000 }));
    }

    [Test]
    public async Task A_client_that_speaks_before_the_greeting_on_a_real_socket_gets_554()
    {
        var options = new SmtpServerOptions { ServerName = "mx.test", GreetingDelay = TimeSpan.FromMilliseconds(500) };
        options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)));
        await using var server = new SmtpServer(options);
        await server.StartAsync();
        using var client = new TcpClient();
        await client.ConnectAsync(server.LocalEndPoints.Single());
        using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("EHLO bot.test\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.That(await reader.ReadLineAsync(timeout.Token), Does.StartWith("554 5.5.0"));
        Assert.That(await reader.ReadLineAsync(timeout.Token), Is.Null, "the server closes after the 554");
    }

    [Test]
    public async Task A_client_that_waits_for_the_delayed_greeting_on_a_real_socket_is_served()
    {
        var options = new SmtpServerOptions { ServerName = "mx.test", GreetingDelay = TimeSpan.FromMilliseconds(200) };
        options.Endpoints.Add(new SmtpEndpoint(new IPEndPoint(IPAddress.Loopback, 0)));
        await using var server = new SmtpServer(options);
        await server.StartAsync();
        using var client = new TcpClient();
        await client.ConnectAsync(server.LocalEndPoints.Single());
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.That(await reader.ReadLineAsync(timeout.Token), Does.StartWith("220 mx.test"));
        await stream.WriteAsync(Encoding.ASCII.GetBytes("QUIT\r\n"));
        Assert.That(await reader.ReadLineAsync(timeout.Token), Does.StartWith("221"));
        Assert.That(await reader.ReadLineAsync(timeout.Token), Is.Null);
    }
}
