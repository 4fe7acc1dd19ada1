using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentLedger.Bench;

/// <summary>One measured line of the results table.</summary>
public sealed record ResultRow(
    string Scenario,
    string Engine,
    string Size,
    string Measure,
    string Unit,
    Summary Value,
    string? Baseline = null,
    Summary? BaselineValue = null,
    double? Ratio = null,
    string? Target = null,
    bool? Met = null,
    string? Note = null);

/// <summary>Collects results, prints them as a Markdown table and writes them as JSON.</summary>
public sealed class Report(BenchOptions options)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly List<ResultRow> _rows = [];
    private readonly List<string> _notes = [];

    public IReadOnlyList<ResultRow> Rows => _rows;

    public void Add(ResultRow row)
    {
        _rows.Add(row);
        Console.WriteLine($"  {Line(row)}");
    }

    public void Note(string note)
    {
        _notes.Add(note);
        Console.WriteLine($"  note: {note}");
    }

    public static string Machine =>
        string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");

    public string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine}; SQLite writes: WAL, synchronous={options.Synchronous}{(options.Quick ? "; QUICK MODE (numbers not meaningful)" : "")}");
        text.AppendLine();
        text.AppendLine("| scenario | engine | ledger | measure | median | p95 | p99 | compared with | its median | ratio | target | met |");
        text.AppendLine("|---|---|---|---|---:|---:|---:|---|---:|---:|---|---|");
        foreach (var r in _rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Scenario} | {r.Engine} | {r.Size} | {r.Measure} | {Format(r.Value.Median, r.Unit)} | {Format(r.Value.P95, r.Unit)} | {(r.Value.Count >= 100 ? Format(r.Value.P99, r.Unit) : "")} | {r.Baseline ?? ""} | {(r.BaselineValue is { } b ? Format(b.Median, r.Unit) : "")} | {(r.Ratio is { } ratio ? ratio.ToString(ratio >= 10 ? "F0" : "F2", CultureInfo.InvariantCulture) + "×" : "")} | {r.Target ?? ""} | {(r.Met is { } met ? met ? "yes" : "**no**" : "")} |");
        }
        foreach (var note in _notes)
        {
            text.AppendLine();
            text.Append("- ").AppendLine(note);
        }
        return text.ToString();
    }

    public async Task WriteJsonAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(options.JsonPath)!);
        var document = new
        {
            machine = Machine,
            date = DateTimeOffset.UtcNow,
            cores = Environment.ProcessorCount,
            scenario = options.Scenario,
            quick = options.Quick,
            sqlite = new { journal_mode = "WAL", synchronous = options.Synchronous },
            results = _rows,
            notes = _notes,
        };
        await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(document, Json));
    }

    private static string Line(ResultRow r) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{r.Scenario,-7} {r.Engine,-10} {r.Size,-5} {r.Measure,-40} median {Format(r.Value.Median, r.Unit),12}  p95 {Format(r.Value.P95, r.Unit),12}") +
        (r.BaselineValue is { } b ? string.Create(CultureInfo.InvariantCulture, $"  | {r.Baseline}: {Format(b.Median, r.Unit)}") : "") +
        (r.Ratio is { } ratio ? string.Create(CultureInfo.InvariantCulture, $"  ratio {ratio:F2}") : "") +
        (r.Met is { } met ? (met ? "  [target met]" : "  [target MISSED]") : "");

    public static string Format(double value, string unit) => double.IsNaN(value) ? "–" : unit switch
    {
        "ms" => value.ToString(value < 10 ? "F2" : value < 100 ? "F1" : "F0", CultureInfo.InvariantCulture) + " ms",
        "MB" => value.ToString("F0", CultureInfo.InvariantCulture) + " MB",
        "/s" => value.ToString("N0", CultureInfo.InvariantCulture) + " /s",
        "×" => value.ToString("F2", CultureInfo.InvariantCulture) + "×",
        _ => value.ToString("G4", CultureInfo.InvariantCulture) + " " + unit,
    };
}
