using Microsoft.Extensions.Options;
using Smtp.Core.Client;

namespace Smtp.Core.Hosting.Internal;

/// <summary>Checks <see cref="SmtpClientHostOptions"/> at start-up, naming the configuration key of each problem.</summary>
internal sealed class SmtpClientHostOptionsValidator(string optionsName, string? sectionPath) : IValidateOptions<SmtpClientHostOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpClientHostOptions options)
    {
        if (!string.Equals(name ?? Options.DefaultName, optionsName, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            failures.Add($"{Key("Host")} is missing: give the server's host name or IP address.");
        }

        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"{Key("Port")}: {options.Port} is not a TCP port (1-65535).");
        }

        if (options.TlsMode is { } mode && !Enum.IsDefined(mode))
        {
            failures.Add($"{Key("TlsMode")}: '{mode}' is not one of {string.Join(", ", Enum.GetNames<SmtpTlsMode>())}.");
        }

        if (options.Password is not null && options.AccessToken is not null)
        {
            failures.Add($"{Key("AccessToken")}: give either {Key("Password")} or an access token, not both.");
        }

        if ((options.Password is not null || options.AccessToken is not null) && string.IsNullOrEmpty(options.UserName))
        {
            failures.Add($"{Key("UserName")} is missing: a password or access token needs a user name.");
        }

        if (!string.IsNullOrEmpty(options.UserName) && options.Password is null && options.AccessToken is null)
        {
            failures.Add($"{Key("Password")} is missing: the user name {options.UserName} needs a password or {Key("AccessToken")}.");
        }

        if (options.MaxConnections < 1)
        {
            failures.Add($"{Key("MaxConnections")}: {options.MaxConnections} is below the minimum of 1.");
        }

        if (options.ChunkSize is < 1)
        {
            failures.Add($"{Key("ChunkSize")}: {options.ChunkSize} is below the minimum of 1.");
        }

        Positive(options.ConnectTimeout, "ConnectTimeout", failures);
        Positive(options.CommandTimeout, "CommandTimeout", failures);
        Positive(options.DataTimeout, "DataTimeout", failures);
        if (options.HealthCheckAfterIdle < TimeSpan.Zero)
        {
            failures.Add($"{Key("HealthCheckAfterIdle")}: {options.HealthCheckAfterIdle} must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void Positive(TimeSpan? value, string key, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{Key(key)}: {value} must be longer than zero.");
        }
    }

    private string Key(string relativeKey) => ConfigurationKey.Of(sectionPath, relativeKey);
}
