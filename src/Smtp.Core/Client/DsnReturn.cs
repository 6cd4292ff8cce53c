namespace Smtp.Core.Client;

/// <summary>The RFC 3461 §4.3 <c>RET</c> parameter: how much of the message a delivery status notification returns.</summary>
public enum DsnReturn
{
    /// <summary>No RET parameter; the server decides.</summary>
    Unspecified = 0,

    /// <summary><c>RET=FULL</c>: the whole message.</summary>
    Full = 1,

    /// <summary><c>RET=HDRS</c>: the headers only.</summary>
    Headers = 2,
}
