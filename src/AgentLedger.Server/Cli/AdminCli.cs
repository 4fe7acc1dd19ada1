using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Runner;
using AgentLedger.Core.Stats;
using AgentLedger.Server.Hosting;
using AgentLedger.Server.Json;
using AgentLedger.Storage;
using AgentLedger.Storage.Retention;
using AgentLedger.Storage.Rollups;
using Microsoft.Extensions.Options;

namespace AgentLedger.Server.Cli;

/// <summary>
/// Admin verbs of the server binary: <c>migrate</c>, <c>verify</c>, <c>archive</c>, <c>stats</c>,
/// <c>run</c>, <c>keys</c>, <c>audit</c>. With no verb the binary serves HTTP. Configuration (appsettings, <c>AgentLedger__…</c>
/// environment variables, <c>--AgentLedger:Key=value</c> arguments) is the server's own.
/// </summary>
public static class AdminCli
{
    private static readonly string[] Verbs = ["migrate", "verify", "archive", "stats", "run", "keys", "audit", "--help", "-h", "-?"];

    public static bool Handles(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    public static Task<int> RunAsync(string[] args, TextWriter output)
    {
        var root = new RootCommand("AgentLedger: runs a community's AI agents and keeps a ledger of every execution. With no verb it serves HTTP.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        root.Subcommands.Add(Migrate(output));
        root.Subcommands.Add(Verify(output));
        root.Subcommands.Add(Archive(output));
        root.Subcommands.Add(Stats(output));
        root.Subcommands.Add(Run(output));
        root.Subcommands.Add(KeysCli.Keys(output, Build));
        root.Subcommands.Add(KeysCli.Audit(output, Build));
        return root.Parse(args).InvokeAsync();
    }

    private static Command Migrate(TextWriter output)
    {
        var command = new Command("migrate", "Applies every pending database migration and exits.");
        command.SetAction(async (parse, ct) =>
        {
            await using var app = Build(parse);
            await app.Services.GetRequiredService<DatabaseBootstrap>().MigrateAsync(ct);
            await output.WriteLineAsync("migrate: the database is up to date.");
            return 0;
        });
        return command;
    }

    private static Command Verify(TextWriter output)
    {
        var command = new Command("verify", "Recomputes the rollups from the raw executions (live and archived) and proposals; exit code 1 on any difference.");
        command.SetAction(async (parse, ct) =>
        {
            await using var app = Build(parse);
            var report = await app.Services.GetRequiredService<RollupVerifier>().VerifyAsync(ct);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"verify: {report.ExecutionsRead} executions and {report.ProposalsRead} proposals read, {report.BucketsChecked} rollup buckets checked, {report.Mismatches.Count} differences."));
            foreach (var m in report.Mismatches.Take(200))
            {
                await output.WriteLineAsync($"  {m.AgentName} {m.Period} {UtcDateTimeOffsetConverter.Format(m.BucketStart)} {m.Field}: expected {m.Expected}, stored {m.Actual}");
            }
            return report.Ok ? 0 : 1;
        });
        return command;
    }

    private static Command Archive(TextWriter output)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Only count what would be archived." };
        var command = new Command("archive", "Moves raw executions older than AgentLedger:RawRetentionDays to the archive; rollups keep their history.") { dryRun };
        command.SetAction(async (parse, ct) =>
        {
            await using var app = Build(parse);
            var options = app.Services.GetRequiredService<IOptions<LedgerOptions>>().Value;
            var cutoff = app.Services.GetRequiredService<TimeProvider>().GetUtcNow() - options.RawRetention;
            var report = await app.Services.GetRequiredService<LedgerArchiver>().ArchiveAsync(cutoff, parse.GetValue(dryRun), cancellationToken: ct);
            await output.WriteLineAsync(report.DryRun
                ? $"archive --dry-run: {report.Candidates} executions started before {UtcDateTimeOffsetConverter.Format(report.Cutoff)} would be archived."
                : $"archive: {report.Archived} executions started before {UtcDateTimeOffsetConverter.Format(report.Cutoff)} archived in {report.Batches} batches.");
            return 0;
        });
        return command;
    }

    private static Command Stats(TextWriter output)
    {
        var agent = new Option<string?>("--agent") { Description = "Only this agent." };
        var window = new Option<string>("--window") { Description = "Nh or Nd, 1h … 400d.", DefaultValueFactory = _ => "30d" };
        var command = new Command("stats", "Prints every agent's stats for a window as a table.") { agent, window };
        command.SetAction(async (parse, ct) =>
        {
            if (!StatsWindow.TryParse(parse.GetValue(window), out var parsed, out var error))
            {
                await Console.Error.WriteLineAsync(error);
                return 2;
            }
            await using var app = Build(parse);
            var names = (await app.Services.GetRequiredService<IAgentDirectory>().ListAsync(ct)).Select(a => a.Name).ToList();
            if (parse.GetValue(agent) is { } only)
            {
                if (!names.Contains(only))
                {
                    await Console.Error.WriteLineAsync($"No agent is named '{only}'.");
                    return 2;
                }
                names = [only];
            }
            var stats = await app.Services.GetRequiredService<StatsService>().GetAsync(names, parsed, ct);
            await output.WriteAsync(StatsTable.Render(names.Select(n => stats[n]).ToList(), parsed.Name));
            return 0;
        });
        return command;
    }

    private static Command Run(TextWriter output)
    {
        var name = new Argument<string>("agent") { Description = "The in-process agent to run." };
        var force = new Option<bool>("--force") { Description = "Run even if the agent is disabled." };
        var command = new Command("run", "Runs one agent now, records the run in the ledger, prints it; exit code 1 unless it succeeded.") { name, force };
        command.SetAction(async (parse, ct) =>
        {
            await using var app = Build(parse, cliNode: true);
            var services = app.Services;
            await services.GetRequiredService<DatabaseBootstrap>().PrepareAsync(ct);
            var runner = services.GetRequiredService<AgentRunner>();
            var handle = await runner.StartAsync(parse.GetValue(name)!, ExecutionTrigger.Manual, parse.GetValue(force), cancellationToken: ct);
            var ledger = services.GetRequiredService<IExecutionLedger>();
            // No watchdog runs in this process: beat by hand so servers do not abandon the run.
            while (await Task.WhenAny(handle.Completion, Task.Delay(TimeSpan.FromSeconds(5), ct)) != handle.Completion)
            {
                await ledger.HeartbeatAsync(runner.RunningExecutions, services.GetRequiredService<TimeProvider>().GetUtcNow(), ct);
            }
            var finished = await handle.Completion;
            await output.WriteLineAsync(JsonSerializer.Serialize(finished, LedgerJson.Options));
            return finished.Status == ExecutionStatus.Success ? 0 : 1;
        });
        return command;
    }

    internal static WebApplication Build(ParseResult parse, bool cliNode = false)
    {
        var builder = WebApplication.CreateBuilder(parse.UnmatchedTokens.ToArray());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddAgentLedger();
        if (cliNode)
        {
            // A node name of its own: recovery by the server must not mistake this process's runs for its own.
            var configured = builder.Configuration["AgentLedger:Node"];
            var node = string.IsNullOrWhiteSpace(configured) ? new RunnerOptions().Node : configured;
            builder.Services.AddSingleton(new RunnerOptions { Node = $"{node}-cli-{Environment.ProcessId}" });
        }
        return builder.Build();
    }
}
