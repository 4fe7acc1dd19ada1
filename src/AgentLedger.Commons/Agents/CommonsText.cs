using System.Globalization;
using System.Text.Json;
using static System.FormattableString;

namespace AgentLedger.Commons.Agents;

/// <summary>Formatting shared by the agents' titles, explanations and proposal data; invariant so output does not depend on the host's culture.</summary>
internal static class CommonsText
{
    public static string Quantity(double quantity, string unit) => Invariant($"{quantity:0.##} {unit}").TrimEnd();

    public static string Km(double km) => Invariant($"{km:0.0} km");

    public static string Hours(double hours) => Invariant($"{hours:0.#} h");

    public static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>For explanations: "2026-11-28 10:00 UTC".</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>For proposal data, in the contract's wire format: ISO-8601 UTC ending in Z.</summary>
    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>"Ana", "Ana and Ben", "Ana, Ben and Cy".</summary>
    public static string List(IReadOnlyList<string> items) => items.Count switch
    {
        0 => "nobody",
        1 => items[0],
        _ => $"{string.Join(", ", items.Take(items.Count - 1))} and {items[^1]}",
    };

    /// <summary>Rounds values shown in proposal data; decisions are made on the unrounded values.</summary>
    public static double Round(double value) => Math.Round(value, 4);

    public static double? Round(double? value) => value is { } v ? Round(v) : null;

    public static bool SameUnit(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    public static JsonElement Data(object value) => JsonSerializer.SerializeToElement(value);
}
