namespace Smtp.Core.Auth;

/// <summary>
/// The SASL mechanisms a server offers, looked up by name case-insensitively (RFC 4422 §3.1), in the order
/// they are advertised.
/// </summary>
/// <remarks>
/// <see cref="CreateDefault"/> holds SCRAM-SHA-256, PLAIN and LOGIN: the mechanisms any password-checking
/// authenticator can serve. CRAM-MD5 (needs the clear password on the server) and the OAuth mechanisms (need a
/// token validator) are added by hosts that can check them. Configure the registry before the server starts;
/// it is not safe to change while sessions read it.
/// </remarks>
public sealed class SaslMechanismRegistry
{
    private readonly List<IServerSaslMechanism> _mechanisms = [];

    /// <summary>The registered mechanisms in advertising order.</summary>
    public IReadOnlyList<IServerSaslMechanism> Mechanisms => _mechanisms;

    /// <summary>Creates a registry with SCRAM-SHA-256, PLAIN and LOGIN.</summary>
    /// <returns>A new registry.</returns>
    public static SaslMechanismRegistry CreateDefault()
    {
        var registry = new SaslMechanismRegistry();
        registry.Add(SaslMechanisms.ScramSha256);
        registry.Add(SaslMechanisms.Plain);
        registry.Add(SaslMechanisms.Login);
        return registry;
    }

    /// <summary>Adds a mechanism, replacing (in place) one of the same name.</summary>
    /// <param name="mechanism">The mechanism.</param>
    /// <returns>This registry.</returns>
    public SaslMechanismRegistry Add(IServerSaslMechanism mechanism)
    {
        ArgumentNullException.ThrowIfNull(mechanism);
        if (!SaslServerMechanism.IsValidName(mechanism.Name))
        {
            throw new ArgumentException("The mechanism name is not a valid SASL name.", nameof(mechanism));
        }

        int index = IndexOf(mechanism.Name);
        if (index >= 0)
        {
            _mechanisms[index] = mechanism;
        }
        else
        {
            _mechanisms.Add(mechanism);
        }

        return this;
    }

    /// <summary>Removes a mechanism by name (case-insensitive).</summary>
    /// <param name="name">The mechanism name.</param>
    /// <returns>Whether it was registered.</returns>
    public bool Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int index = IndexOf(name);
        if (index < 0)
        {
            return false;
        }

        _mechanisms.RemoveAt(index);
        return true;
    }

    /// <summary>Finds a mechanism by the name a client sent in AUTH (case-insensitive).</summary>
    /// <param name="name">The name from the command.</param>
    /// <param name="isSecure">Whether the connection is under TLS; mechanisms with
    /// <see cref="IServerSaslMechanism.RequiresTls"/> are not found otherwise.</param>
    /// <param name="mechanism">The mechanism, when found.</param>
    /// <returns>Whether the mechanism is registered and allowed on this connection.</returns>
    public bool TryGet(ReadOnlySpan<char> name, bool isSecure, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IServerSaslMechanism? mechanism)
    {
        int index = IndexOf(name);
        mechanism = index >= 0 && (isSecure || !_mechanisms[index].RequiresTls) ? _mechanisms[index] : null;
        return mechanism is not null;
    }

    /// <summary>Finds a mechanism by its name as bytes straight from the command line (ASCII, case-insensitive).</summary>
    /// <param name="name">The name bytes from the AUTH command.</param>
    /// <param name="isSecure">Whether the connection is under TLS.</param>
    /// <param name="mechanism">The mechanism, when found.</param>
    /// <returns>Whether the mechanism is registered and allowed on this connection.</returns>
    public bool TryGet(ReadOnlySpan<byte> name, bool isSecure, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IServerSaslMechanism? mechanism)
    {
        mechanism = null;
        foreach (var candidate in _mechanisms)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(name, candidate.Name))
            {
                mechanism = isSecure || !candidate.RequiresTls ? candidate : null;
                break;
            }
        }

        return mechanism is not null;
    }

    /// <summary>The names to advertise in the EHLO AUTH keyword on this connection (RFC 4954 §3).</summary>
    /// <param name="isSecure">Whether the connection is under TLS.</param>
    /// <returns>The names, in registration order; empty when nothing may be offered.</returns>
    public IReadOnlyList<string> GetAdvertisedNames(bool isSecure)
    {
        var names = new List<string>(_mechanisms.Count);
        foreach (var mechanism in _mechanisms)
        {
            if (isSecure || !mechanism.RequiresTls)
            {
                names.Add(mechanism.Name);
            }
        }

        return names;
    }

    private int IndexOf(ReadOnlySpan<char> name)
    {
        for (int i = 0; i < _mechanisms.Count; i++)
        {
            if (name.Equals(_mechanisms[i].Name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
