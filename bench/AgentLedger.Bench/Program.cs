using System.Diagnostics;
using AgentLedger.Bench;
using AgentLedger.Bench.Hosting;
using AgentLedger.Bench.Scenarios;

if (args.FirstOrDefault() == "serve")
{
    return await BenchHost.ServeAsync(args);
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (UsageException ex)
{
    if (ex.Message is { Length: > 0 } message && ex.Message != new UsageException().Message)
    {
        Console.Error.WriteLine(message);
    }
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

var clock = Stopwatch.StartNew();
var report = new Report(options);
Console.WriteLine($"AgentLedger bench: {options.Scenario}{(options.Quick ? " (quick)" : "")}; {Report.Machine}; data in {options.DataFolder}");
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var scenario = options.Scenario;
if (scenario is "stats" or "all")
{
    await new StatsScenario(options, report).RunAsync(memoryOnly: false, cancel.Token);
}
if (scenario is "memory")
{
    await new StatsScenario(options, report).RunAsync(memoryOnly: true, cancel.Token);
}
if (scenario is "record" or "all")
{
    await new RecordScenario(options, report).RunAsync(cancel.Token);
}
if (scenario is "ingest" or "all")
{
    await new IngestScenario(options, report).RunAsync(cancel.Token);
}
if (scenario is "otlp")
{
    await new IngestScenario(options, report).RunOtlpAsync(cancel.Token);
}

Console.WriteLine();
Console.WriteLine(report.Markdown());
await report.WriteJsonAsync();
Console.WriteLine($"results written to {options.JsonPath} ({clock.Elapsed.TotalSeconds:F0} s)");
return 0;
