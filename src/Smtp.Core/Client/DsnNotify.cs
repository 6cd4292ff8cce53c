namespace Smtp.Core.Client;

/// <summary>The RFC 3461 §4.1 <c>NOTIFY</c> parameter of one recipient.</summary>
[Flags]
public enum DsnNotify
{
    /// <summary>No NOTIFY parameter; the server decides.</summary>
    Unspecified = 0,

    /// <summary><c>NOTIFY=NEVER</c>; cannot be combined with the other values.</summary>
    Never = 1,

    /// <summary>Notify on successful delivery.</summary>
    Success = 2,

    /// <summary>Notify on failure.</summary>
    Failure = 4,

    /// <summary>Notify on delay.</summary>
    Delay = 8,
}
