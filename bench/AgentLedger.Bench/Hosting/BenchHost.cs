using AgentLedger.Bench.Datasets;
using AgentLedger.Core.Agents;
using AgentLedger.Server;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AgentLedger.Bench.Hosting;

/// <summary>
/// The real server (<see cref="LedgerServer.AddAgentLedger"/> + <see cref="LedgerServer.UseAgentLedger"/>, as
/// Program.cs composes it) on Kestrel over loopback, with three benchmark adjustments: the clock is
/// shifted to the generated ledger's "now" so a cached ledger stays current, retention is pushed
/// out so start-up never archives the cached history, and the scheduler is left out so the
/// measured requests are the only load.
/// </summary>
public static class BenchHost
{
    public const string ApiKey = "bench-api-key-0123456789";

    public static WebApplication Build(BenchDatabase database, string synchronous, TimeSpan clockOffset, string dataFolder, IEnumerable<IAgent>? agents = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["AgentLedger:Database:Provider"] = database.Provider,
            ["AgentLedger:Database:ConnectionString"] = database.ConnectionString,
            ["AgentLedger:Database:Synchronous"] = synchronous,
            ["AgentLedger:ApiKey"] = ApiKey,
            ["AgentLedger:DataFolder"] = dataFolder,
            ["AgentLedger:Demo"] = "false",
            ["AgentLedger:Node"] = "bench",
            ["AgentLedger:RawRetentionDays"] = "36500",
        });
        builder.Services.AddSingleton<TimeProvider>(new ShiftedClock(clockOffset));
        foreach (var agent in agents ?? [])
        {
            builder.Services.AddSingleton(agent);
        }
        builder.AddAgentLedger();
        var scheduler = builder.Services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "AgentScheduler").ToList();
        foreach (var descriptor in scheduler)
        {
            builder.Services.Remove(descriptor);
        }
        var app = builder.Build();
        app.UseAgentLedger();
        return app;
    }

    public static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>Runs the server in this process until standard input closes: the child side of <see cref="ServerProcess"/>.</summary>
    public static async Task<int> ServeAsync(string[] args)
    {
        string Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? throw new UsageException($"serve needs {name}");
        var database = new BenchDatabase(Arg("--provider"), Arg("--connection"), Arg("--provider"));
        var offset = TimeSpan.FromTicks(long.Parse(Arg("--offset-ticks"), System.Globalization.CultureInfo.InvariantCulture));
        await using var app = Build(database, Arg("--synchronous"), offset, Arg("--data"));
        await app.StartAsync();
        Console.WriteLine($"listening {Address(app)}");
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
        return 0;
    }
}

/// <summary>The system clock moved by a fixed offset: timers and elapsed times are unchanged.</summary>
public sealed class ShiftedClock(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
}
