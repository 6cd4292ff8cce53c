using Microsoft.Extensions.Logging;

namespace Smtp.Core.Tests.Client;

/// <summary>Collects every log line, for transcript assertions.</summary>
internal sealed class ListLogger : ILogger
{
    public List<string> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Lines)
        {
            Lines.Add(formatter(state, exception));
        }
    }

    public string All
    {
        get
        {
            lock (Lines)
            {
                return string.Join("\n", Lines);
            }
        }
    }
}
