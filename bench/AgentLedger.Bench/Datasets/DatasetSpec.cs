using System.Globalization;
using System.Text.Json;

namespace AgentLedger.Bench.Datasets;

/// <summary>
/// What a generated ledger holds. Stored in the ledger itself (<c>ledger_meta</c>), so a cached
/// database is reused only when it was generated completely with the same parameters.
/// </summary>
public sealed record DatasetSpec(long Executions, int Agents, int Days, DateTimeOffset Anchor, int Version = DatasetSpec.CurrentVersion)
{
    /// <summary>2: uuids as 16-byte blobs on SQLite (a ledger of version 1 holds them as text).</summary>
    public const int CurrentVersion = 2;
    public const string MetaKey = "bench.dataset";

    public string Describe() => $"{Executions:N0} executions, {Agents} agents, {Days} days up to {Anchor:O}";

    public string ToJson() => JsonSerializer.Serialize(this);

    public static DatasetSpec? FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<DatasetSpec>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public bool Matches(long executions, int agents, int days) =>
        Version == CurrentVersion && Executions == executions && Agents == agents && Days == days;

    public static string SizeLabel(long executions) => executions switch
    {
        >= 1_000_000 when executions % 1_000_000 == 0 => string.Create(CultureInfo.InvariantCulture, $"{executions / 1_000_000}M"),
        >= 1_000 when executions % 1_000 == 0 => string.Create(CultureInfo.InvariantCulture, $"{executions / 1_000}k"),
        _ => executions.ToString(CultureInfo.InvariantCulture),
    };
}
