using AgentLedger.Core.Traces;
using AgentLedger.Storage;
using AgentLedger.Storage.Sqlite;
using AgentLedger.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AgentLedger.Tests.Http;

/// <summary>
/// SQLite ledgers written before uuids were stored as 16 bytes held them as upper-case text: the upgrade converts
/// every one, so each execution, its parent, its trace and its proposals are found by the ids they always had.
/// </summary>
public sealed class UuidUpgradeTests : IDisposable
{
    private const string LastTextMigration = "20261203083604_OtlpIndexes";
    private const long StartedAt = 1_795_000_000_000_000; // microseconds since the epoch, 2026-11-18
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [SkippableFact]
    public async Task A_ledger_with_text_ids_keeps_every_execution_parent_trace_and_proposal_link_after_the_upgrade()
    {
        Skip.If(TestDatabase.IsPostgres, "PostgreSQL stores uuids natively");
        var options = new DbContextOptionsBuilder<SqliteLedgerDbContext>();
        options.UseLedgerSqlite(new StorageOptions { ConnectionString = _db.ConnectionString });
        await using (var old = new SqliteLedgerDbContext(options.Options))
        {
            await old.GetService<IMigrator>().MigrateAsync(LastTextMigration);
        }
        const string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        var parent = Guid.CreateVersion7();
        var child = SpanIds.ExecutionId(trace, "00f067aa0ba902b7");
        var proposal = Guid.CreateVersion7();
        string Text(Guid id) => $"'{id.ToString().ToUpperInvariant()}'";
        _db.Execute($"""
            INSERT INTO agents (name, display_name, description, kind, first_seen_at) VALUES ('legacy', 'legacy', '', 'external', {StartedAt});
            INSERT INTO agent_executions (id, agent_name, trigger, started_at, completed_at, duration_ms, status, proposals_created, resources_processed)
                VALUES ({Text(parent)}, 'legacy', 'external', {StartedAt}, {StartedAt + 2_000_000}, 2000, 'success', 1, 0);
            INSERT INTO agent_executions (id, agent_name, trigger, started_at, completed_at, duration_ms, status, proposals_created, resources_processed, trace_id, span_id, parent_execution_id)
                VALUES ({Text(child)}, 'legacy', 'external', {StartedAt + 1}, {StartedAt + 1_000_000}, 1000, 'success', 0, 0, '{trace}', '00f067aa0ba902b7', {Text(parent)});
            INSERT INTO proposals (id, execution_id, agent_name, type, title, inputs_used, status, created_at)
                VALUES ({Text(proposal)}, {Text(parent)}, 'legacy', 'match', 'Lend the ladder', '[]', 'pending', {StartedAt + 2_000_000});
            """);

        using var host = new LedgerFactory(_db);
        var client = host.CreateAuthorizedClient();

        Assert.Equal(0, _db.Scalar("SELECT COUNT(*) FROM agent_executions WHERE typeof(id) <> 'blob' OR (parent_execution_id IS NOT NULL AND typeof(parent_execution_id) <> 'blob')"));
        Assert.Equal(0, _db.Scalar("SELECT COUNT(*) FROM proposals WHERE typeof(id) <> 'blob' OR typeof(execution_id) <> 'blob'"));
        Assert.Equal(parent.ToString(), (string?)(await client.GetNodeAsync($"/api/executions/{parent}"))["id"]);
        Assert.Equal(parent.ToString(), (string?)(await client.GetNodeAsync($"/api/executions/{child}"))["parent_execution_id"]);
        var ofTrace = (await client.GetNodeAsync($"/api/agents/legacy/executions?trace_id={trace}"))["items"]!.AsArray();
        Assert.Equal([child.ToString()], ofTrace.Select(e => (string?)e!["id"]));
        Assert.Equal(parent.ToString(), (string?)(await client.GetNodeAsync($"/api/proposals/{proposal}"))["execution_id"]);
        var ofRun = (await client.GetNodeAsync("/api/proposals?agent_name=legacy"))["items"]!.AsArray();
        Assert.Equal([proposal.ToString()], ofRun.Select(p => (string?)p!["id"]));
    }
}
