namespace Smtp.Core.Auth;

/// <summary>
/// An <see cref="IServerSaslMechanism"/> made from a name and a factory delegate: how the built-in mechanisms
/// are defined, and the quick way for a host to add its own.
/// </summary>
public sealed class SaslServerMechanism : IServerSaslMechanism
{
    private readonly Func<string, ISaslServerExchange> _factory;

    /// <summary>Creates a mechanism.</summary>
    /// <param name="name">The SASL name (RFC 4422 §3.1: 1 to 20 characters of A-Z, 0-9, '-' and '_').</param>
    /// <param name="requiresTls">Whether it may only be offered over TLS.</param>
    /// <param name="factory">Creates an exchange, given the server's host name.</param>
    public SaslServerMechanism(string name, bool requiresTls, Func<string, ISaslServerExchange> factory)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!IsValidName(name))
        {
            throw new ArgumentException("A SASL mechanism name is 1 to 20 characters of A-Z, 0-9, '-' and '_'.", nameof(name));
        }

        Name = name;
        RequiresTls = requiresTls;
        _factory = factory;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool RequiresTls { get; }

    /// <inheritdoc />
    public ISaslServerExchange CreateExchange(string serverName) => _factory(serverName);

    /// <inheritdoc />
    public override string ToString() => Name;

    internal static bool IsValidName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > 20)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
