using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Smtp.Core.Tests.Support;

/// <summary>An <see cref="ILoggerFactory"/> that keeps every message at every level, for assertions on logs.</summary>
public sealed class ListLoggerFactory : ILoggerFactory
{
    /// <summary>Every message logged so far, formatted, with its event id.</summary>
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new ListLogger(this);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class ListLogger(ListLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner.Entries.Enqueue((logLevel, eventId, formatter(state, exception)));
    }
}
