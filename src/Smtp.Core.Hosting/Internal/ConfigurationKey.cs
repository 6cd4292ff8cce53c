namespace Smtp.Core.Hosting.Internal;

/// <summary>Builds the configuration key a validation message names, from the section the options were bound to.</summary>
internal static class ConfigurationKey
{
    public static string Of(string? sectionPath, string relativeKey)
        => string.IsNullOrEmpty(sectionPath) ? relativeKey : sectionPath + ":" + relativeKey;
}
