using FsCheck;
using FsCheck.Fluent;
using Smtp.Core.Auth;

namespace Smtp.Core.Tests.Auth;

public class ServerExchangePropertyTests
{
    private static readonly ScramCredentials Stored = ScramCredentials.FromPassword("pw", "saltsalt"u8, 4096);

    private static IEnumerable<IServerSaslMechanism> AllMechanisms() =>
        [SaslMechanisms.Plain, SaslMechanisms.Login, SaslMechanisms.CramMd5, SaslMechanisms.ScramSha256, SaslMechanisms.XOAuth2, SaslMechanisms.OAuthBearer];

    /// <summary>
    /// Feeds a sequence of random messages into a fresh exchange, following its steps like a session would;
    /// nothing may throw and every failure must map to a 501 or 535 reply.
    /// </summary>
    private static bool Survives(IServerSaslMechanism mechanism, byte[][] messages, bool initial) =>
        Survives(() => mechanism.CreateExchange("mx.example.org"), messages, initial, guard => guard % 2 == 0 ? Stored : null) is not null;

    /// <summary>Runs the messages; returns the last step, or null when the run broke a rule.</summary>
    private static SaslStep? Survives(Func<ISaslServerExchange> create, byte[][] messages, bool initial, Func<int, ScramCredentials?> lookup)
    {
        ISaslServerExchange exchange = create();
        SaslStep step = initial && messages.Length > 0 ? exchange.Respond(messages[0]) : exchange.Start();
        int next = initial ? 1 : 0;
        for (int guard = 0; guard < 32; guard++)
        {
            switch (step.Kind)
            {
                case SaslStepKind.Challenge:
                    if (next >= messages.Length)
                    {
                        return step;
                    }

                    step = exchange.Respond(messages[next++]);
                    break;
                case SaslStepKind.NeedCredentials:
                    step = exchange.SupplyCredentials(lookup(guard));
                    break;
                case SaslStepKind.Completed:
                    if (next >= messages.Length)
                    {
                        return step;
                    }

                    step = exchange.Reject();
                    break;
                case SaslStepKind.Failed:
                    return step.FailureReply.Code is 501 or 535 ? step : null;
                default:
                    return null;
            }
        }

        return null;
    }

    private static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    /// <summary>Valid transcripts (initial response first) that reach each exchange's deepest state.</summary>
    private static IEnumerable<TestCaseData> Transcripts()
    {
        var pencil = ScramCredentials.FromPassword("pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        yield return new TestCaseData(
            (Func<ISaslServerExchange>)(() => new ScramServerExchange("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")),
            new[] { Utf8("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"), Utf8("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="), [] },
            pencil, true).SetArgDisplayNames("SCRAM-SHA-256");
        yield return new TestCaseData(
            (Func<ISaslServerExchange>)(() => new CramMd5ServerExchange("<1896.697170952@postoffice.reston.mci.net>")),
            new[] { Utf8("tim b913a602c7eda7a495b4e6e7334d3890") }, null, false).SetArgDisplayNames("CRAM-MD5");
        yield return new TestCaseData((Func<ISaslServerExchange>)(() => new PlainServerExchange()), new[] { Utf8("az\0tim\0secret") }, null, true).SetArgDisplayNames("PLAIN");
        yield return new TestCaseData((Func<ISaslServerExchange>)(() => new LoginServerExchange()), new[] { Utf8("tim"), Utf8("secret") }, null, true).SetArgDisplayNames("LOGIN");
        yield return new TestCaseData(
            (Func<ISaslServerExchange>)(() => new OAuthBearerServerExchange(Utf8("{}"))),
            new[] { Utf8("n,a=user@example.com,\u0001host=server.example.com\u0001port=143\u0001auth=Bearer abc==\u0001\u0001") },
            null, true).SetArgDisplayNames("OAUTHBEARER");
        yield return new TestCaseData(
            (Func<ISaslServerExchange>)(() => new XOAuth2ServerExchange(Utf8("{}"))),
            new[] { Utf8("user=someone\u0001auth=Bearer abc\u0001\u0001") },
            null, true).SetArgDisplayNames("XOAUTH2");
    }

    [TestCaseSource(nameof(Transcripts))]
    public void Valid_transcript_completes_and_every_single_mutation_of_it_is_handled(Func<ISaslServerExchange> create, byte[][] transcript, ScramCredentials? stored, bool initial)
    {
        Assert.That(Survives(create, transcript, initial, _ => stored)?.Kind, Is.EqualTo(SaslStepKind.Completed));

        // One byte replaced, inserted or the message truncated, anywhere in any message of the transcript.
        Prop.ForAll<int, int, byte>((which, position, value) =>
        {
            byte[][] messages = transcript.Select(m => m.ToArray()).ToArray();
            int index = (int)((uint)which % (uint)messages.Length);
            byte[] message = messages[index];
            int at = message.Length == 0 ? 0 : (int)((uint)position % (uint)message.Length);
            messages[index] = ((uint)which / 7 % 3) switch
            {
                0 when message.Length > 0 => [.. message[..at], value, .. message[(at + 1)..]],
                1 => [.. message[..at], value, .. message[at..]],
                _ => message[..at],
            };
            return Survives(create, messages, initial, _ => stored) is not null;
        }).QuickCheckThrowOnFailure();
    }

    [TestCaseSource(nameof(AllMechanisms))]
    public void Random_bytes_never_throw(IServerSaslMechanism mechanism)
    {
        Prop.ForAll<byte[][], bool>((messages, initial) => Survives(mechanism, messages ?? [], initial))
            .QuickCheckThrowOnFailure();
    }

    [TestCaseSource(nameof(AllMechanisms))]
    public void Random_text_near_the_grammar_never_throws(IServerSaslMechanism mechanism)
    {
        // Byte soup rarely gets past the first check; this builds messages from the mechanisms' own tokens.
        string[] tokens = ["n", "y", "p=x", ",", "a=", "n=", "r=", "c=", "p=", "s=", "i=", "=2C", "=3D", "=", "biws", "\u0001",
            "auth=", "Bearer ", "user=", "host=", "port=", "143", "\0", " ", "abc", "v=", "e=", "m=", "\u00e9", "b913a602c7eda7a495b4e6e7334d3890"];
        var genMessage = Gen.ArrayOf(Gen.Elements(tokens)).Select(parts => System.Text.Encoding.UTF8.GetBytes(string.Concat(parts)));
        var genMessages = Gen.ArrayOf(genMessage);
        Prop.ForAll(genMessages.ToArbitrary(), messages => Survives(mechanism, messages, initial: true))
            .QuickCheckThrowOnFailure();
    }
}
