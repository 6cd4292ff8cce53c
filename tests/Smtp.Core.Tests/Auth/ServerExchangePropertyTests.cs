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
    private static bool Survives(IServerSaslMechanism mechanism, byte[][] messages, bool initial)
    {
        ISaslServerExchange exchange = mechanism.CreateExchange("mx.example.org");
        SaslStep step = initial && messages.Length > 0 ? exchange.Respond(messages[0]) : exchange.Start();
        int next = initial ? 1 : 0;
        for (int guard = 0; guard < 32; guard++)
        {
            switch (step.Kind)
            {
                case SaslStepKind.Challenge:
                    if (next >= messages.Length)
                    {
                        return true;
                    }

                    step = exchange.Respond(messages[next++]);
                    break;
                case SaslStepKind.NeedCredentials:
                    step = exchange.SupplyCredentials(guard % 2 == 0 ? Stored : null);
                    break;
                case SaslStepKind.Completed:
                    step = exchange.Reject();
                    break;
                case SaslStepKind.Failed:
                    return step.FailureReply.Code is 501 or 535;
                default:
                    return false;
            }
        }

        return false;
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
