using Smtp.Core.Server;

namespace Smtp.Core.Hosting.Internal;

/// <summary>A <see cref="SmtpServerBuilder.ConfigureServer"/> callback, registered as a singleton.</summary>
internal sealed class SmtpServerConfigureAction(Action<IServiceProvider, SmtpServerOptions> configure)
{
    public void Configure(IServiceProvider services, SmtpServerOptions options) => configure(services, options);
}
