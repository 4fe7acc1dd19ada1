using System.Globalization;

namespace AgentLedger.Bench;

/// <summary>Command line of the harness: <c>&lt;scenario&gt; [--executions N[,N…]] [--agents A] [--quick] [--postgres CONN] …</c>.</summary>
public sealed record BenchOptions
{
    public static readonly string[] Scenarios = ["stats", "record", "ingest", "otlp", "memory", "all"];

    public required string Scenario { get; init; }

    /// <summary>Ledger sizes for <c>stats</c> (and the one <c>memory</c> uses: the largest).</summary>
    public IReadOnlyList<long> Executions { get; init; } = [100_000, 1_000_000, 10_000_000];

    public int Agents { get; init; } = 20;

    public int Days { get; init; } = 90;

    public bool Quick { get; init; }

    public string? Postgres { get; init; }

    /// <summary>Where generated ledgers are cached between runs (never committed).</summary>
    public required string DataFolder { get; init; }

    public required string JsonPath { get; init; }

    /// <summary>SQLite durability for the write scenarios; FULL is the server's default.</summary>
    public string Synchronous { get; init; } = "FULL";

    /// <summary>Timed requests per stats measurement (after warm-up).</summary>
    public int StatsIterations { get; init; } = 40;

    public int BaselineIterations { get; init; } = 5;

    /// <summary>Executions recorded per record measurement, per mode.</summary>
    public int RecordCount { get; init; } = 3000;

    public int Rounds { get; init; } = 3;

    public TimeSpan IngestDuration { get; init; } = TimeSpan.FromSeconds(10);

    public int Concurrency { get; init; } = 8;

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            throw new UsageException();
        }
        var scenario = args[0];
        if (!Scenarios.Contains(scenario))
        {
            throw new UsageException($"unknown scenario '{scenario}'");
        }
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"unexpected argument '{name}'");
            }
            var flag = name is "--quick";
            values[name] = flag ? null : i + 1 < args.Length ? args[++i] : throw new UsageException($"{name} needs a value");
        }
        var quick = values.ContainsKey("--quick");
        var root = RepositoryRoot();
        var data = values.GetValueOrDefault("--data") ?? (root is null
            ? Path.Combine(Path.GetTempPath(), "agentledger-bench")
            : Path.Combine(root, "bench", ".data"));
        var options = new BenchOptions
        {
            Scenario = scenario,
            Quick = quick,
            DataFolder = Path.GetFullPath(data),
            JsonPath = Path.GetFullPath(values.GetValueOrDefault("--json") ?? Path.Combine(data, quick ? "results-quick.json" : $"results-{scenario}.json")),
            Postgres = values.GetValueOrDefault("--postgres"),
        };
        if (quick)
        {
            options = options with
            {
                Executions = [2_000, 20_000],
                StatsIterations = 8,
                BaselineIterations = 2,
                RecordCount = 150,
                Rounds = 1,
                IngestDuration = TimeSpan.FromSeconds(1.5),
            };
        }
        foreach (var (name, value) in values)
        {
            options = name switch
            {
                "--quick" or "--data" or "--json" or "--postgres" => options,
                "--executions" => options with { Executions = value!.Split(',').Select(v => ParseCount(name, v)).ToList() },
                "--agents" => options with { Agents = (int)ParseCount(name, value!) },
                "--days" => options with { Days = (int)ParseCount(name, value!) },
                "--iterations" => options with { StatsIterations = (int)ParseCount(name, value!) },
                "--baseline-iterations" => options with { BaselineIterations = (int)ParseCount(name, value!) },
                "--record-count" => options with { RecordCount = (int)ParseCount(name, value!) },
                "--rounds" => options with { Rounds = (int)ParseCount(name, value!) },
                "--ingest-seconds" => options with { IngestDuration = TimeSpan.FromSeconds(ParseCount(name, value!)) },
                "--concurrency" => options with { Concurrency = (int)ParseCount(name, value!) },
                "--synchronous" => options with { Synchronous = value!.ToUpperInvariant() is "FULL" or "NORMAL" or "EXTRA" ? value.ToUpperInvariant() : throw new UsageException("--synchronous must be NORMAL, FULL or EXTRA (durable levels only)") },
                _ => throw new UsageException($"unknown option '{name}'"),
            };
        }
        return options;
    }

    public const string Usage = """
        usage: dotnet run -c Release --project bench/AgentLedger.Bench -- <scenario> [options]
          scenarios: stats | record | ingest | otlp | memory | all
          --executions N[,N…]   ledger sizes for stats (default 100000,1000000,10000000); k/M suffixes allowed
          --agents A            agents in generated ledgers (default 20)
          --quick               small sizes and few repetitions: a smoke test of a few seconds
          --postgres CONN       also measure stats on PostgreSQL (Npgsql connection string of a server)
          --synchronous LEVEL   SQLite durability for record/ingest: FULL (default, the server's) or NORMAL
          --data DIR            cache of generated ledgers (default bench/.data)
          --json PATH           where to write the results (default <data>/results-<scenario>.json)
          --iterations K, --baseline-iterations K, --record-count N, --rounds R, --ingest-seconds S, --concurrency C
        """;

    private static long ParseCount(string name, string text)
    {
        var multiplier = 1L;
        if (text.EndsWith('k') || text.EndsWith('K'))
        {
            multiplier = 1_000;
            text = text[..^1];
        }
        else if (text.EndsWith('M') || text.EndsWith('m'))
        {
            multiplier = 1_000_000;
            text = text[..^1];
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value * multiplier
            : throw new UsageException($"{name} needs a positive whole number, not '{text}'");
    }

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgentLedger.slnx")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}

public sealed class UsageException(string? message = null) : Exception(message);
