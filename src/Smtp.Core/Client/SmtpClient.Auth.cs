namespace Smtp.Core.Client;

public sealed partial class SmtpClient
{
    private Task AuthenticateAsync(Operation op)
    {
        _ = op;
        throw new NotSupportedException("AUTH is wired to the auth-sasl client exchanges once merged.");
    }
}
