namespace Smtp.Core.Protocol;

/// <summary>The outcome of one call to a message body reader (<see cref="SmtpDataDecoder"/>, <see cref="SmtpChunkReader"/>).</summary>
public enum SmtpDataStatus
{
    /// <summary>All input given was consumed and the body (or chunk) has not ended yet.</summary>
    NeedMoreData = 0,

    /// <summary>The body (or chunk) ended; input was consumed exactly through its last octet.</summary>
    Completed = 1,
}
