using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Smtp.Core.Server;

/// <summary>
/// The TLS settings of an endpoint (<see cref="SmtpEndpoint.Tls"/>): the server certificate or a selector by SNI
/// host name, the protocol versions, client certificates and the handshake timeout. Used for STARTTLS (RFC 3207)
/// and for implicit TLS (RFC 8314, <see cref="SmtpEndpoint.ImplicitTls"/>).
/// </summary>
/// <remarks>
/// <para>STARTTLS behaviour: offered in EHLO (and LHLO) until TLS is active; answered <c>503 5.5.1</c> when TLS is
/// already active or before EHLO, <c>501 5.5.4</c> with an argument. Commands a client pipelines after STARTTLS are
/// never executed (the STARTTLS command injection, CVE-2011-0411): if they are already buffered when STARTTLS is
/// answered, the server replies <c>554 5.5.0</c> instead of <c>220</c> and closes the connection; if they arrive
/// later they are fed to the TLS handshake, which fails and closes the connection. A failed handshake (garbage, a
/// closed connection, no common protocol, <see cref="HandshakeTimeout"/>) always closes the connection, never falls
/// back to plaintext, and affects no other session. After the handshake the session forgets the EHLO name, the
/// transaction and any authentication (RFC 3207 §4.2).</para>
/// <para>Configure before the server starts; one instance may serve several endpoints. The certificate contexts built
/// from the certificates (chain included) are cached per certificate, so a selector should return the same
/// <see cref="X509Certificate2"/> instances rather than load new ones per handshake.</para>
/// </remarks>
public sealed class SmtpTlsOptions
{
    private const SslProtocols Allowed = SslProtocols.Tls12 | SslProtocols.Tls13;
    private readonly ConcurrentDictionary<X509Certificate2, SslStreamCertificateContext> _contexts = new(ReferenceEqualityComparer.Instance);

    /// <summary>The certificate (with its private key) presented when <see cref="ServerCertificateSelector"/> gives none.</summary>
    public X509Certificate2? ServerCertificate { get; set; }

    /// <summary>
    /// Picks a certificate by the host name the client sent with SNI (<see langword="null"/> when it sent none);
    /// returning <see langword="null"/> falls back to <see cref="ServerCertificate"/>. Called during each handshake.
    /// </summary>
    public Func<string?, X509Certificate2?>? ServerCertificateSelector { get; set; }

    /// <summary>
    /// The protocol versions offered. Default and allowed values: TLS 1.2 and TLS 1.3 (RFC 8996 deprecates
    /// older versions; RFC 8314 §4.1 asks for TLS 1.2 at least).
    /// </summary>
    public SslProtocols EnabledProtocols { get; set; } = Allowed;

    /// <summary>Whether clients are asked for a certificate. Default <see cref="SmtpClientCertificateMode.None"/>.</summary>
    public SmtpClientCertificateMode ClientCertificateMode { get; set; }

    /// <summary>
    /// Decides on a client certificate the client presented; <see langword="null"/> accepts one whose chain
    /// validates against the machine's trust store. Not called when a client under
    /// <see cref="SmtpClientCertificateMode.Request"/> presents none.
    /// </summary>
    public RemoteCertificateValidationCallback? ClientCertificateValidation { get; set; }

    /// <summary>How long a TLS handshake may take; then the connection is closed. Default 30 seconds.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Creates options with a certificate loaded from a PKCS #12 (PFX) file.</summary>
    /// <param name="path">The PFX file, holding the certificate and its private key.</param>
    /// <param name="password">The file's password, or <see langword="null"/> for none.</param>
    /// <returns>The options.</returns>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The file cannot be read as PKCS #12 with that password.</exception>
    public static SmtpTlsOptions FromPfxFile(string path, string? password)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        X509Certificate2 certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ArgumentException("The PFX file holds no private key for its certificate.", nameof(path));
        }

        return new SmtpTlsOptions { ServerCertificate = certificate };
    }

    /// <summary>Checks the values and throws on one that cannot work.</summary>
    internal void Validate()
    {
        if (ServerCertificate is null && ServerCertificateSelector is null)
        {
            throw new ArgumentException("TLS needs a ServerCertificate or a ServerCertificateSelector.", nameof(ServerCertificate));
        }

        if (ServerCertificate is { HasPrivateKey: false })
        {
            throw new ArgumentException("The server certificate has no private key.", nameof(ServerCertificate));
        }

        if (EnabledProtocols == SslProtocols.None || (EnabledProtocols & ~Allowed) != 0)
        {
            throw new ArgumentException("Only TLS 1.2 and TLS 1.3 may be enabled.", nameof(EnabledProtocols));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero, nameof(HandshakeTimeout));
    }

    /// <summary>The server side options for one handshake, given the SNI name the client sent.</summary>
    internal SslServerAuthenticationOptions CreateAuthenticationOptions(string? serverName)
    {
        X509Certificate2 certificate = ServerCertificateSelector?.Invoke(serverName) ?? ServerCertificate
            ?? throw new AuthenticationException("No server certificate for the requested host name.");
        SslStreamCertificateContext context = _contexts.GetOrAdd(
            certificate,
            static c => SslStreamCertificateContext.Create(c, additionalCertificates: null, offline: true));
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            EnabledSslProtocols = EnabledProtocols,
            ClientCertificateRequired = ClientCertificateMode != SmtpClientCertificateMode.None,
            AllowRenegotiation = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (ClientCertificateMode != SmtpClientCertificateMode.None)
        {
            options.RemoteCertificateValidationCallback = ValidateClientCertificate;
        }

        return options;
    }

    private bool ValidateClientCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return ClientCertificateMode == SmtpClientCertificateMode.Request;
        }

        return ClientCertificateValidation is { } validate
            ? validate(sender, certificate, chain, errors)
            : errors == SslPolicyErrors.None;
    }
}
