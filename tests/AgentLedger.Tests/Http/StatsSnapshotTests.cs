using System.Data.Common;
using AgentLedger.Storage.Postgres;
using AgentLedger.Storage.Sqlite;
using AgentLedger.Storage.Stores;
using AgentLedger.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static AgentLedger.Tests.Infrastructure.Api;

namespace AgentLedger.Tests.Http;

/// <summary>
/// An agent's newest runs are read in several statements; a run committed between two of them must
/// not make the answer disagree with itself ("the last 3 runs failed" naming the 2nd failure's error).
/// </summary>
public sealed class StatsSnapshotTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(Now);
    private readonly AfterNewestRuns _interceptor = new();
    private readonly LedgerFactory _root;
    private readonly Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _host;
    private readonly HttpClient _client;

    public StatsSnapshotTests()
    {
        _root = new LedgerFactory(_db, _time);
        _host = _root.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
        {
            services.ConfigureDbContext<SqliteLedgerDbContext>(o => o.AddInterceptors(_interceptor));
            services.ConfigureDbContext<PostgresLedgerDbContext>(o => o.AddInterceptors(_interceptor));
        }));
        _client = _host.CreateDefaultClient(new ContractCheckingHandler());
        _client.DefaultRequestHeaders.Add("X-Api-Key", LedgerFactory.ApiKey);
    }

    public void Dispose()
    {
        _host.Dispose();
        _root.Dispose();
        _db.Dispose();
    }

    private Task<System.Text.Json.Nodes.JsonNode> Report(int minutesAgo, string status, string? error = null) =>
        _client.ReportAsync(new Dictionary<string, object?>
        {
            ["agent_name"] = "importer",
            ["started_at"] = Iso(Now.AddMinutes(-minutesAgo)),
            ["completed_at"] = Iso(Now.AddMinutes(-minutesAgo).AddSeconds(1)),
            ["status"] = status,
            ["error_message"] = error,
        });

    [Fact]
    public async Task A_failure_committed_while_the_newest_runs_are_read_is_either_wholly_in_the_answer_or_wholly_out()
    {
        await Report(10, "success");
        await Report(9, "failed", "request 1");
        await Report(8, "failed", "request 2");

        // The third failure commits right after the statement that finds the newest failure has run.
        _interceptor.Arm(() => Report(7, "failed", "request 3"));
        var during = (await _client.GetNodeAsync("/api/agents/importer/stats"))["stats"]!;
        Assert.True(_interceptor.Fired, "the stats request did not run the newest-runs statement");
        Assert.Equal((2L, "request 2"), ((long)during["consecutive_failures"]!, (string?)during["last_error"]));

        var after = (await _client.GetNodeAsync("/api/agents/importer/stats"))["stats"]!;
        Assert.Equal((3L, "request 3"), ((long)after["consecutive_failures"]!, (string?)after["last_error"]));
    }

    /// <summary>Runs a write once, after the next newest-runs statement has been answered.</summary>
    private sealed class AfterNewestRuns : DbCommandInterceptor
    {
        private Func<Task>? _write;

        public bool Fired { get; private set; }

        public void Arm(Func<Task> write) => _write = write;

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains(EfStatsSource.NewestRunsTag, StringComparison.Ordinal) && Interlocked.Exchange(ref _write, null) is { } write)
            {
                await write();
                Fired = true;
            }
            return result;
        }
    }
}
