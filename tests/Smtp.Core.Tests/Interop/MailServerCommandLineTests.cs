using System.Net;
using MailServer;

namespace Smtp.Core.Tests.Interop;

/// <summary>The sample's command line: defaults, every option, and the errors a user gets.</summary>
[TestFixture]
public sealed class MailServerCommandLineTests
{
    private static MailServerSettings Valid(params string[] args)
    {
        var result = CommandLine.Parse(args);
        Assert.That(result.Error, Is.Null);
        Assert.That(result.Settings, Is.Not.Null);
        return result.Settings!;
    }

    private static string Invalid(params string[] args)
    {
        var result = CommandLine.Parse(args);
        Assert.That(result.Settings, Is.Null);
        Assert.That(result.HelpRequested, Is.False);
        Assert.That(result.Error, Is.Not.Null.And.Not.Empty);
        return result.Error!;
    }

    [Test]
    public void No_arguments_listen_on_loopback_2525_and_store_under_mail()
    {
        var settings = Valid();
        Assert.That(settings.Listen, Is.EqualTo(new[] { new IPEndPoint(IPAddress.Loopback, 2525) }));
        Assert.That(settings.Maildir, Is.EqualTo("mail"));
        Assert.That(settings.Discard, Is.False);
        Assert.That(settings.Lmtp, Is.False);
        Assert.That(settings.NeedsTlsOrAuth, Is.False);
        Assert.That(settings.MaxMessageSize, Is.Null);
        Assert.That(settings.MaxRecipients, Is.Null);
        Assert.That(settings.CommandTimeout, Is.Null);
    }

    [TestCase("--help")]
    [TestCase("-h")]
    [TestCase("--maildir", "x", "--help", "--bogus")]
    public void Help_is_recognised_and_stops_parsing(params string[] args)
    {
        var result = CommandLine.Parse(args);
        Assert.That(result.HelpRequested, Is.True);
        Assert.That(result.Error, Is.Null);
        Assert.That(CommandLine.Usage, Does.Contain("--listen ADDR:PORT").And.Contain("--max-message-size"));
    }

    [Test]
    public void An_error_before_help_is_reported()
    {
        Assert.That(Invalid("--listen", "nonsense", "--help"), Does.Contain("nonsense"));
    }

    [Test]
    public void Listen_is_repeatable_and_takes_ipv4_and_bracketed_ipv6()
    {
        var settings = Valid("--listen", "127.0.0.1:2525", "--listen=[::1]:2526", "--listen", "0.0.0.0:0");
        Assert.That(settings.Listen, Is.EqualTo(new[]
        {
            new IPEndPoint(IPAddress.Loopback, 2525),
            new IPEndPoint(IPAddress.IPv6Loopback, 2526),
            new IPEndPoint(IPAddress.Any, 0),
        }));
        Assert.That(CommandLine.Format(settings.Listen[1]), Is.EqualTo("[::1]:2526"));
    }

    [TestCase("127.0.0.1", "ADDR:PORT")]
    [TestCase("127.0.0.1:", "port")]
    [TestCase("127.0.0.1:65536", "port")]
    [TestCase("127.0.0.1:-1", "port")]
    [TestCase("127.0.0.1:25x", "port")]
    [TestCase("::1:2525", "brackets")]
    [TestCase("[::1]2525", "ADDR:PORT")]
    [TestCase("[::1]", "ADDR:PORT")]
    [TestCase("[127.0.0.1]:25", "ADDR:PORT")]
    [TestCase("1:25", "ADDR:PORT")]
    [TestCase("localhost:25", "ADDR:PORT")]
    [TestCase(":25", "ADDR:PORT")]
    public void A_bad_endpoint_is_refused_with_a_reason(string endPoint, string reason)
    {
        Assert.That(Invalid("--listen", endPoint), Does.Contain(reason).And.Contain(endPoint));
    }

    [Test]
    public void The_same_fixed_endpoint_twice_is_refused_but_port_0_may_repeat()
    {
        Assert.That(Invalid("--listen", "127.0.0.1:2525", "--listen", "127.0.0.1:2525"), Does.Contain("more than once"));
        Assert.That(Valid("--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0").Listen, Has.Count.EqualTo(2));
    }

    [Test]
    public void Limits_and_modes_are_parsed()
    {
        var settings = Valid("--maildir", "/tmp/x", "--max-message-size", "1048576", "--max-recipients=7",
            "--command-timeout", "2.5", "--lmtp", "--max-connections", "20000", "--max-connections-per-address=15000");
        Assert.That(settings.Maildir, Is.EqualTo("/tmp/x"));
        Assert.That(settings.MaxMessageSize, Is.EqualTo(1048576));
        Assert.That(settings.MaxRecipients, Is.EqualTo(7));
        Assert.That(settings.CommandTimeout, Is.EqualTo(TimeSpan.FromSeconds(2.5)));
        Assert.That(settings.Lmtp, Is.True);
        Assert.That(settings.MaxConnections, Is.EqualTo(20000));
        Assert.That(settings.MaxConnectionsPerAddress, Is.EqualTo(15000));
    }

    [Test]
    public void Discard_stores_nowhere_and_conflicts_with_maildir()
    {
        var settings = Valid("--discard");
        Assert.That(settings.Discard, Is.True);
        Assert.That(settings.Maildir, Is.Null);
        Assert.That(Invalid("--discard", "--maildir", "x"), Does.Contain("--discard"));
    }

    [TestCase("--max-message-size", "0")]
    [TestCase("--max-message-size", "-5")]
    [TestCase("--max-message-size", "10MB")]
    [TestCase("--max-message-size", "99999999999999999999")]
    [TestCase("--max-recipients", "0")]
    [TestCase("--max-recipients", "1.5")]
    [TestCase("--max-connections", "0")]
    [TestCase("--max-connections-per-address", "x")]
    [TestCase("--command-timeout", "0")]
    [TestCase("--command-timeout", "abc")]
    [TestCase("--command-timeout", "7200")]
    public void A_bad_number_is_refused_naming_the_option(string option, string value)
    {
        Assert.That(Invalid(option, value), Does.Contain(option).And.Contain(value));
    }

    [TestCase("--maildir")]
    [TestCase("--listen")]
    [TestCase("--user")]
    public void An_option_without_its_value_is_refused(string option)
    {
        Assert.That(Invalid(option), Does.Contain(option).And.Contain("needs a value"));
    }

    [TestCase("--maildir", "a", "--maildir", "b")]
    [TestCase("--max-recipients", "1", "--max-recipients", "2")]
    [TestCase("--command-timeout", "1", "--command-timeout", "2")]
    [TestCase("--max-connections", "1", "--max-connections", "2")]
    public void A_single_valued_option_given_twice_is_refused(params string[] args)
    {
        Assert.That(Invalid(args), Does.Contain("more than once"));
    }

    [Test]
    public void Unknown_options_positional_arguments_and_flag_values_are_refused()
    {
        Assert.That(Invalid("--port", "25"), Does.Contain("unknown option '--port'"));
        Assert.That(Invalid("mail"), Does.Contain("unexpected argument 'mail'"));
        Assert.That(Invalid("--lmtp=yes"), Does.Contain("takes no value"));
    }

    [Test]
    public void Users_take_name_and_password_split_at_the_first_colon()
    {
        var settings = Valid("--user", "alice:pa:ss", "--user", "bob:x", "--require-auth");
        Assert.That(settings.Users, Is.EqualTo(new[] { new KeyValuePair<string, string>("alice", "pa:ss"), new KeyValuePair<string, string>("bob", "x") }));
        Assert.That(settings.RequireAuth, Is.True);
        Assert.That(settings.NeedsTlsOrAuth, Is.True);
    }

    [TestCase("alice")]
    [TestCase(":secret")]
    [TestCase("alice:")]
    [TestCase("al ice:secret")]
    public void A_malformed_user_is_refused_without_echoing_a_password(string user)
    {
        var error = Invalid("--user", user);
        Assert.That(error, Does.Contain("--user"));
        Assert.That(error, Does.Not.Contain("secret"));
    }

    [Test]
    public void The_same_user_twice_is_refused()
    {
        Assert.That(Invalid("--user", "a:1", "--user", "a:2"), Does.Contain("more than once"));
    }

    [Test]
    public void Require_auth_needs_a_user_and_implicit_tls_needs_a_certificate()
    {
        Assert.That(Invalid("--require-auth"), Does.Contain("--user"));
        Assert.That(Invalid("--implicit-tls", "127.0.0.1:465"), Does.Contain("--cert"));
    }

    [Test]
    public void A_certificate_must_exist_and_enables_tls()
    {
        Assert.That(Invalid("--cert", "/nonexistent/cert.pfx"), Does.Contain("not found"));
        var file = Path.GetTempFileName();
        try
        {
            var settings = Valid("--cert", file, "--implicit-tls", "127.0.0.1:0");
            Assert.That(settings.CertificatePath, Is.EqualTo(file));
            Assert.That(settings.ImplicitTls, Has.Count.EqualTo(1));
            Assert.That(settings.Listen, Is.Empty, "only implicit TLS was asked for");
            Assert.That(settings.NeedsTlsOrAuth, Is.True);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void Options_given_on_the_command_line_reach_the_server_options_and_the_rest_keep_engine_defaults()
    {
        var store = new Smtp.Core.Storage.DiscardMessageStore();
        var options = MailServerHost.CreateOptions(Valid("--listen", "127.0.0.1:0", "--listen", "[::1]:2526", "--max-message-size", "2048",
            "--max-recipients", "3", "--command-timeout", "7", "--max-connections", "50", "--max-connections-per-address", "40", "--lmtp"), store);
        Assert.That(options.Endpoints.Select(e => e.EndPoint), Is.EqualTo(new[] { new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.IPv6Loopback, 2526) }));
        Assert.That(options.MessageStore, Is.SameAs(store));
        Assert.That(options.MaxMessageSize, Is.EqualTo(2048));
        Assert.That(options.MaxRecipients, Is.EqualTo(3));
        Assert.That(options.CommandTimeout, Is.EqualTo(TimeSpan.FromSeconds(7)));
        Assert.That(options.MaxConnections, Is.EqualTo(50));
        Assert.That(options.MaxConnectionsPerAddress, Is.EqualTo(40));
        Assert.That(options.Lmtp, Is.True);

        var defaults = new Smtp.Core.Server.SmtpServerOptions();
        var plain = MailServerHost.CreateOptions(Valid(), store);
        Assert.That(plain.MaxMessageSize, Is.EqualTo(defaults.MaxMessageSize));
        Assert.That(plain.MaxRecipients, Is.EqualTo(defaults.MaxRecipients));
        Assert.That(plain.CommandTimeout, Is.EqualTo(defaults.CommandTimeout));
        Assert.That(plain.MaxConnectionsPerAddress, Is.EqualTo(defaults.MaxConnectionsPerAddress));
        Assert.That(plain.Lmtp, Is.False);
    }
}
