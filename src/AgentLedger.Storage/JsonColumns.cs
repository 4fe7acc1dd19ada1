using System.Text.Json;

namespace AgentLedger.Storage;

/// <summary>JSON kept in text columns: agent metrics, metadata, config, proposal data.</summary>
internal static class JsonColumns
{
    private static readonly IReadOnlyDictionary<string, double> NoMetrics = new Dictionary<string, double>();

    public static string? Write(JsonElement? value) => value is { ValueKind: not JsonValueKind.Undefined } v ? v.GetRawText() : null;

    public static JsonElement? ReadElement(string? text) => text is null ? null : JsonDocument.Parse(text).RootElement.Clone();

    public static string? WriteMetrics(IReadOnlyDictionary<string, double>? metrics) =>
        metrics is null || metrics.Count == 0 ? null : JsonSerializer.Serialize(metrics);

    public static IReadOnlyDictionary<string, double> ReadMetrics(string? text) =>
        text is null ? NoMetrics : JsonSerializer.Deserialize<Dictionary<string, double>>(text) ?? [];

    public static string WriteStrings(IReadOnlyList<string>? values) => JsonSerializer.Serialize(values ?? []);

    public static IReadOnlyList<string> ReadStrings(string text) => JsonSerializer.Deserialize<string[]>(text) ?? [];
}
