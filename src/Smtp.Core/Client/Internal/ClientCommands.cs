namespace Smtp.Core.Client.Internal;

/// <summary>The commands the client writes that take at most one plain argument.</summary>
internal enum ClientCommands
{
    Ehlo,
    Helo,
    Lhlo,
    StartTls,
    Data,
    Rset,
    Noop,
    Quit,
}

/// <summary>What reading a reply from the buffered input gave.</summary>
internal enum ReplyStatus
{
    /// <summary>A whole reply was read and consumed.</summary>
    Complete,

    /// <summary>More bytes are needed; nothing was consumed.</summary>
    NeedMore,

    /// <summary>The reply breaks the grammar or a cap; the conversation cannot go on.</summary>
    Malformed,
}
