using System.Collections.Frozen;

namespace AgentLedger.Core.Common;

/// <summary>
/// Enums travel (JSON, database columns, metric labels) as their lower-case names: "success",
/// "external", "approved". One mapping for all of them, cached per enum type.
/// </summary>
public static class WireNames<T> where T : struct, Enum
{
    private static readonly FrozenDictionary<T, string> Names = Enum.GetValues<T>().ToFrozenDictionary(v => v, v => v.ToString().ToLowerInvariant());
    private static readonly FrozenDictionary<string, T> Values = Names.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public static IReadOnlyCollection<string> All => Values.Keys;

    public static string Of(T value) => Names[value];

    public static bool TryParse(string? text, out T value)
    {
        if (text is not null && Values.TryGetValue(text, out value))
        {
            return true;
        }
        value = default;
        return false;
    }
}
