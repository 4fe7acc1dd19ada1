using System.Buffers;
using System.Text;
using System.Text.Json;

namespace AgentLedger.Storage;

/// <summary>JSON kept in text columns: agent metrics, metadata, config, proposal data.</summary>
internal static class JsonColumns
{
    private static readonly IReadOnlyDictionary<string, double> NoMetrics = new Dictionary<string, double>();

    public static string? Write(JsonElement? value) => value is { ValueKind: not JsonValueKind.Undefined } v ? v.GetRawText() : null;

    /// <summary>Top-level keys of <paramref name="patch"/> replace those of the stored object; other keys stay.</summary>
    public static string? Merge(string? stored, JsonElement? patch)
    {
        if (patch is not { ValueKind: JsonValueKind.Object } update)
        {
            return stored;
        }
        var merged = stored is null ? new System.Text.Json.Nodes.JsonObject() : System.Text.Json.Nodes.JsonNode.Parse(stored) as System.Text.Json.Nodes.JsonObject ?? [];
        foreach (var property in update.EnumerateObject())
        {
            merged[property.Name] = System.Text.Json.Nodes.JsonNode.Parse(property.Value.GetRawText());
        }
        return merged.ToJsonString();
    }

    public static JsonElement? ReadElement(string? text) => text is null ? null : JsonDocument.Parse(text).RootElement.Clone();

    public static string? WriteMetrics(IReadOnlyDictionary<string, double>? metrics) =>
        metrics is null || metrics.Count == 0 ? null : JsonSerializer.Serialize(metrics);

    public static IReadOnlyDictionary<string, double> ReadMetrics(string? text) =>
        text is null ? NoMetrics : JsonSerializer.Deserialize<Dictionary<string, double>>(text) ?? [];

    /// <summary>
    /// Adds the numbers of a metrics column to running sums without building a dictionary per row:
    /// stats add up thousands of rows and hundreds of rollup buckets per request.
    /// </summary>
    public static void AddMetrics(string? text, Dictionary<string, double> sums)
    {
        if (text is null)
        {
            return;
        }
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var reader = new Utf8JsonReader(buffer[..Encoding.UTF8.GetBytes(text, buffer)]);
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                Expect(reader.Read() && reader.TokenType == JsonTokenType.Number);
                sums[name] = sums.GetValueOrDefault(name) + reader.GetDouble();
            }
            Expect(reader.TokenType == JsonTokenType.EndObject);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        static void Expect(bool condition)
        {
            if (!condition)
            {
                throw new JsonException("A metrics column is not an object of numbers.");
            }
        }
    }

    public static string WriteStrings(IReadOnlyList<string>? values) => JsonSerializer.Serialize(values ?? []);

    public static IReadOnlyList<string> ReadStrings(string text) => JsonSerializer.Deserialize<string[]>(text) ?? [];
}
