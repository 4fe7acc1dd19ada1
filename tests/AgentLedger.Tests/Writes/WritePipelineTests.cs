using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Stats;
using AgentLedger.Storage;
using AgentLedger.Storage.Entities;
using AgentLedger.Storage.Writes;
using AgentLedger.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentLedger.Tests.Writes;

/// <summary>
/// The write pipeline against a real database: writes queued while a writer is busy go into one
/// transaction, one write's failure undoes only its own changes, and a full queue refuses at once.
/// </summary>
public sealed class WritePipelineTests : IDisposable
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Writes_queued_behind_a_busy_writer_share_one_transaction_and_a_failing_one_undoes_only_itself()
    {
        using var host = new LedgerFactory(_db);
        var pipeline = OwnPipeline(host, queueLimit: 1000);
        var (busy, first) = await HoldWriterAsync(pipeline, "pipeline-a");

        // Queued while the first write holds the pipeline: the next writer takes all three at once.
        var b = pipeline.WriteAsync("b", (db, rollups, ct) => AddAgentAsync(db, rollups, "pipeline-b", ct), CancellationToken.None);
        var c = pipeline.WriteAsync<Guid>("c", async (db, rollups, ct) =>
        {
            await AddAgentAsync(db, rollups, "pipeline-c", ct);
            throw new ConflictException("c refuses after writing its row");
        }, CancellationToken.None);
        var d = pipeline.WriteAsync("d", (db, rollups, ct) => AddAgentAsync(db, rollups, "pipeline-d", ct), CancellationToken.None);
        busy.SetResult();

        var alone = await first;
        var (inB, inD) = (await b, await d);
        await Assert.ThrowsAsync<ConflictException>(() => c);
        Assert.Equal(inB, inD);
        Assert.NotEqual(alone, inB);

        Assert.Equal(new[] { "pipeline-a", "pipeline-b", "pipeline-d" }, Names("SELECT name FROM agents WHERE name LIKE 'pipeline-%' ORDER BY name"));
        // Rollups were written for the committed writes only, once each.
        Assert.Equal(new[] { "pipeline-a", "pipeline-b", "pipeline-d" }, Names("SELECT agent_name FROM agent_rollups WHERE period = 'hour' AND agent_name LIKE 'pipeline-%' ORDER BY agent_name"));
        Assert.Equal(3, _db.Scalar("SELECT SUM(success_count) FROM agent_rollups WHERE period = 'all' AND agent_name LIKE 'pipeline-%'"));
    }

    [Fact]
    public async Task A_full_queue_refuses_the_write_at_once_and_writes_nothing_of_it()
    {
        using var host = new LedgerFactory(_db);
        var pipeline = OwnPipeline(host, queueLimit: 1);
        var (busy, first) = await HoldWriterAsync(pipeline, "queue-a");
        var second = pipeline.WriteAsync("b", (db, rollups, ct) => AddAgentAsync(db, rollups, "queue-b", ct), CancellationToken.None);
        Assert.Equal(1, pipeline.Queued);

        var third = pipeline.WriteAsync("c", (db, rollups, ct) => AddAgentAsync(db, rollups, "queue-c", ct), CancellationToken.None);
        // Refused before anything is queued: the task has already failed when the call returns.
        Assert.True(third.IsFaulted);
        var refused = await Assert.ThrowsAsync<WriteQueueFullException>(() => third);
        Assert.Contains("1 writes are already waiting", refused.Message);
        busy.SetResult();
        await first;
        await second;
        Assert.Equal(new[] { "queue-a", "queue-b" }, Names("SELECT name FROM agents WHERE name LIKE 'queue-%' ORDER BY name"));
    }

    [Fact]
    public async Task A_report_that_finds_the_queue_full_gets_503_with_Retry_After_and_is_not_recorded()
    {
        using var host = new LedgerFactory(_db, settings: new Dictionary<string, string?> { ["AgentLedger:Database:WriteQueueLimit"] = "1" });
        var pipeline = host.Services.GetRequiredService<WritePipeline>();
        using var client = host.CreateAuthorizedClient();
        var (busy, holding) = await HoldWriterAsync(pipeline, "busy-a");
        // Fill the one place in the queue, whoever takes it: a background write may have taken it already.
        var queued = new List<Task<Guid>>();
        for (var i = 0; i < 10; i++)
        {
            var name = $"busy-{i}";
            var write = pipeline.WriteAsync(name, (db, rollups, ct) => AddAgentAsync(db, rollups, name, ct), CancellationToken.None);
            if (write.IsFaulted)
            {
                break;
            }
            queued.Add(write);
        }
        Assert.Equal(1, pipeline.Queued);

        var report = new { agent_name = "busy-refused", status = "success", started_at = "2026-11-20T09:00:00Z", completed_at = "2026-11-20T09:00:01Z" };
        using var refused = await client.PostJsonAsync("/api/executions", report);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("5", refused.Headers.GetValues("Retry-After").Single());
        Assert.Contains("The ledger is busy.", await refused.Content.ReadAsStringAsync());

        busy.SetResult();
        await holding;
        await Task.WhenAll(queued);
        // The same report once the queue has room is recorded, once.
        using var accepted = await client.PostJsonAsync("/api/executions", report);
        Assert.Equal(System.Net.HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(1, _db.Scalar("SELECT COUNT(*) FROM agent_executions WHERE agent_name = 'busy-refused'"));
    }

    [Theory]
    [InlineData("WritesPerCommit")]
    [InlineData("WriteQueueLimit")]
    public void A_pipeline_setting_below_one_stops_the_start_with_a_message_naming_it(string setting)
    {
        using var host = new LedgerFactory(_db, settings: new Dictionary<string, string?> { [$"AgentLedger:Database:{setting}"] = "0" });
        var refused = Assert.Throws<InvalidOperationException>(() => host.CreateClient());
        Assert.Contains($"AgentLedger:Database:{setting} (0)", refused.Message);
    }

    /// <summary>
    /// Queues a write that holds the writer's turn until the returned source is set, and returns once it is being
    /// written. On the host's pipeline its background writes (a sweep, a node heartbeat) may take a one-place queue
    /// for a moment: the holding write then goes in once the place is free.
    /// </summary>
    private static async Task<(TaskCompletionSource Release, Task<Guid> Held)> HoldWriterAsync(WritePipeline pipeline, string name)
    {
        var release = new TaskCompletionSource();
        var writing = new TaskCompletionSource();
        LedgerWrite<Guid> hold = async (db, rollups, ct) =>
        {
            writing.TrySetResult();
            await release.Task;
            return await AddAgentAsync(db, rollups, name, ct);
        };
        var held = pipeline.WriteAsync("a", hold, CancellationToken.None);
        for (var i = 0; i < 100 && held.Exception?.InnerException is WriteQueueFullException; i++)
        {
            await Task.Delay(50);
            held = pipeline.WriteAsync("a", hold, CancellationToken.None);
        }
        // A hold that failed (the queue never freed, the write itself threw) fails here with its own exception, not a timeout.
        await Task.WhenAny(writing.Task, held).WaitAsync(TimeSpan.FromSeconds(30));
        if (held.IsFaulted)
        {
            await held;
        }
        return (release, held);
    }

    /// <summary>
    /// A pipeline of its own on the host's database: the host's background writes (a sweep, a node heartbeat)
    /// go through the host's pipeline, so this one's queue holds only what the test puts in it.
    /// </summary>
    private static WritePipeline OwnPipeline(LedgerFactory host, int queueLimit) => new(
        host.Services.GetRequiredService<ILedgerDbContextFactory>(),
        host.Services.GetRequiredService<WriteGate>(),
        new StorageOptions { WritesPerCommit = host.Services.GetRequiredService<StorageOptions>().WritesPerCommit, WriteQueueLimit = queueLimit });

    private List<string> Names(string sql)
    {
        using var connection = _db.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    /// <summary>A real row and a real rollup delta; returns the transaction it was written in.</summary>
    private static async Task<Guid> AddAgentAsync(LedgerDbContext db, Storage.Rollups.RollupBatch rollups, string name, CancellationToken ct)
    {
        db.Agents.Add(new AgentEntity { Name = name, DisplayName = name, Description = "", Kind = "external", FirstSeenAt = Hour });
        await db.SaveChangesAsync(ct);
        var run = new LedgerTotals();
        run.AddExecution(ExecutionStatus.Success, 100, 0, 1, null);
        rollups.Add(name, Hour, run);
        return db.Database.CurrentTransaction!.TransactionId;
    }
}
