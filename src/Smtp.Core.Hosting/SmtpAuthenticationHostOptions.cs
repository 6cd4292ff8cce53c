using Smtp.Core.Server;

namespace Smtp.Core.Hosting;

/// <summary>AUTH settings of a hosted server (<c>Smtp:Server:Authentication</c>); see <see cref="SmtpAuthenticationOptions"/>.</summary>
public sealed class SmtpAuthenticationHostOptions
{
    /// <summary>See <see cref="SmtpAuthenticationOptions.AllowWithoutTls"/>. Default <see langword="false"/>.</summary>
    public bool AllowWithoutTls { get; set; }

    /// <summary>See <see cref="SmtpAuthenticationOptions.MaxFailures"/>, or <see langword="null"/> for the default.</summary>
    public int? MaxFailures { get; set; }

    /// <summary>See <see cref="SmtpAuthenticationOptions.FailureDelay"/>, or <see langword="null"/> for the default.</summary>
    public TimeSpan? FailureDelay { get; set; }
}
