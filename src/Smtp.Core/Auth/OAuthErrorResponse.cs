using System.Buffers;
using System.Text.Json;

namespace Smtp.Core.Auth;

/// <summary>The JSON error a server sends as a challenge when it refuses a bearer token (RFC 7628 §3.2.2).</summary>
internal static class OAuthErrorResponse
{
    public static byte[] Create(IReadOnlyList<KeyValuePair<string, string>> members)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in members)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
