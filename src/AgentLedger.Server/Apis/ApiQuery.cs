using AgentLedger.Core.Agents;
using AgentLedger.Core.Common;
using AgentLedger.Core.Stats;
using AgentLedger.Server.Json;

namespace AgentLedger.Server.Apis;

/// <summary>Query-string parsing shared by the APIs; every refusal is a 400 naming the parameter.</summary>
internal static class ApiQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static StatsWindow Window(string? text, StatsWindow? fallback = null)
    {
        if (string.IsNullOrEmpty(text) && fallback is not null)
        {
            return fallback;
        }
        return StatsWindow.TryParse(text, out var window, out var error) ? window : throw ValidationException.For("window", error);
    }

    public static int Limit(int? limit) => limit switch
    {
        null => DefaultLimit,
        >= 1 and <= MaxLimit => limit.Value,
        _ => throw ValidationException.For("limit", $"must be between 1 and {MaxLimit}"),
    };

    public static DateTimeOffset? Time(string? text, string name) => text switch
    {
        null or "" => null,
        _ when UtcDateTimeOffsetConverter.TryParse(text, out var value) => value,
        _ => throw ValidationException.For(name, "must be an ISO-8601 time with a UTC offset, e.g. 2026-11-23T10:00:00Z"),
    };

    public static T? Enum<T>(string? text, string name) where T : struct, System.Enum => text switch
    {
        null or "" => null,
        _ when WireNames<T>.TryParse(text, out var value) => value,
        _ => throw ValidationException.For(name, $"must be one of {string.Join(", ", WireNames<T>.All)}"),
    };

    /// <summary>A W3C trace id: 32 hex digits in either case, compared in lower case as the ledger stores it.</summary>
    public static string? TraceId(string? text, string name) => text switch
    {
        null or "" => null,
        { Length: 32 } when text.All(char.IsAsciiHexDigit) => text.ToLowerInvariant(),
        _ => throw ValidationException.For(name, "must be a trace id of 32 hexadecimal digits"),
    };

    /// <summary>Every <c>/api/agents/{name}/…</c> route answers 404 for an unknown (or impossible) name.</summary>
    public static async Task<AgentInfo> RequireAgentAsync(this IAgentDirectory directory, string name, CancellationToken cancellationToken) =>
        (AgentNames.IsValid(name) ? await directory.FindAsync(name, cancellationToken) : null)
        ?? throw new NotFoundException($"No agent is named '{name}'.");
}
