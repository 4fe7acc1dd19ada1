using AgentLedger.Core.Executions;
using AgentLedger.Core.Traces;
using AgentLedger.Storage.Stores;
using AgentLedger.Storage.Writes;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AgentLedger.Tests.Otlp;

/// <summary>
/// An OTLP batch is planned before its write's turn; what another writer changes meanwhile (a child held for the
/// batch's agent span, the agent span recorded) must still reach the run, exactly as if the batches had come one
/// after the other.
/// </summary>
public sealed class SpanBatchDraftTests : IDisposable
{
    private const string Trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task A_child_held_by_another_writer_while_the_batch_waited_is_folded_into_its_run()
    {
        using var host = new LedgerFactory(_db);
        var pipeline = host.Services.GetRequiredService<WritePipeline>();
        var ledger = host.Services.GetRequiredService<IExecutionLedger>();
        var queued = new TaskCompletionSource();
        // Holds the pipeline until the agent span's batch is drafted and queued, then holds its child, as a batch
        // recorded meanwhile (on this node or another) would.
        var holding = pipeline.WriteAsync("a", async (db, _, ct) =>
        {
            await queued.Task;
            db.HeldSpans.Add(HeldSpans.ToEntity(Child("00f067aa0ba902b7", 40), Start));
            await db.SaveChangesAsync(ct);
            return 0;
        }, CancellationToken.None);

        var recording = ledger.RecordSpansAsync([AgentSpan("53995c3f42cd8ad8")], Start, Start.AddHours(-12), CancellationToken.None);
        for (var i = 0; i < 500 && pipeline.Queued == 0; i++)
        {
            await Task.Delay(10);
        }
        Assert.Equal(1, pipeline.Queued);
        queued.SetResult();
        await holding;
        var result = await recording;

        var run = Assert.Single(result.Recorded);
        Assert.Equal(40, run.Metrics["input_tokens"]);
        Assert.Equal(1, run.Metrics[TraceAssembly.ModelCalls]);
        Assert.Equal(0, _db.Scalar("SELECT COUNT(*) FROM otlp_held_spans"));
        // As stored: the one run, with its child's figures.
        using var client = host.CreateAuthorizedClient();
        var stored = Assert.Single((System.Text.Json.Nodes.JsonArray)(await client.GetNodeAsync("/api/agents/draft-agent/executions"))["items"]!)!;
        Assert.Equal(40, (double)stored["metrics"]!["input_tokens"]!);
    }

    private static LedgerSpan AgentSpan(string id) =>
        new(Trace, id, null, SpanRole.Agent, new Dictionary<string, double>(), Run: new AgentSpanRun(
            new ExecutionStart("draft-agent", ExecutionTrigger.External, Start, Id: SpanIds.ExecutionId(Trace, id), TraceId: Trace, SpanId: id),
            new ExecutionOutcome(ExecutionStatus.Success, Start.AddSeconds(2)),
            new Dictionary<string, string> { ["source"] = "otlp" }));

    private static LedgerSpan Child(string id, double inputTokens) =>
        new(Trace, id, "53995c3f42cd8ad8", SpanRole.Model, new Dictionary<string, double> { ["input_tokens"] = inputTokens }, Model: "m-1");
}
