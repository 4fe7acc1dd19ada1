using AgentLedger.Core.Executions;
using AgentLedger.Core.Traces;
using AgentLedger.Server.Otlp;

namespace AgentLedger.Tests.Otlp;

/// <summary>The roll-up rules on their own: which run a span belongs to, and which figures count.</summary>
[Trait("Database", "none")]
public sealed class TraceAssemblyTests
{
    private const string Trace = "0af7651916cd43dd8448eb211c80319c";
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static LedgerSpan AgentSpan(string id, string? parent, params (string, double)[] figures) =>
        new(Trace, id, parent, SpanRole.Agent, figures.ToDictionary(f => f.Item1, f => f.Item2), Run: new AgentSpanRun(
            new ExecutionStart($"agent-{id}", ExecutionTrigger.External, Start, Id: SpanIds.ExecutionId(Trace, id), TraceId: Trace, SpanId: id),
            new ExecutionOutcome(ExecutionStatus.Success, Start.AddSeconds(1)),
            new Dictionary<string, string> { ["source"] = "otlp" }));

    private static LedgerSpan Child(string id, string parent, SpanRole role, params (string, double)[] figures) =>
        new(Trace, id, parent, role, figures.ToDictionary(f => f.Item1, f => f.Item2), Model: role == SpanRole.Model ? "m-1" : null);

    [Fact]
    public void A_figure_on_the_agent_span_wins_and_the_missing_ones_are_summed_from_its_descendants()
    {
        var assembly = new TraceAssembly(
            [
                AgentSpan("a1", null, ("input_tokens", 100)),
                Child("c1", "a1", SpanRole.Model, ("input_tokens", 40), ("output_tokens", 5)),
                Child("t1", "a1", SpanRole.Tool),
                Child("c2", "t1", SpanRole.Model, ("input_tokens", 60), ("output_tokens", 7), ("cost", 0.5)),
            ], []);

        var plan = assembly.Plan(new HashSet<Guid>());

        var (start, outcome) = Assert.Single(plan.Runs);
        Assert.Equal(SpanIds.ExecutionId(Trace, "a1"), start.Id);
        Assert.Equal(100, outcome.Metrics!["input_tokens"]);
        Assert.Equal(12, outcome.Metrics["output_tokens"]);
        Assert.Equal(0.5, outcome.Metrics["cost"]);
        Assert.Equal(2, outcome.Metrics[TraceAssembly.ModelCalls]);
        Assert.Equal(1, outcome.Metrics[TraceAssembly.ToolCalls]);
        Assert.Equal("m-1", outcome.Metadata!.Value.GetProperty("model").GetString());
        Assert.Empty(plan.Hold);
    }

    [Fact]
    public void A_span_whose_ancestor_is_missing_is_held_and_one_whose_agent_is_recorded_is_a_redelivery()
    {
        var recordedAgent = SpanIds.ExecutionId(Trace, "done");
        var assembly = new TraceAssembly([Child("x", "nowhere", SpanRole.Model), Child("y", "done", SpanRole.Tool), Child("z", "x", SpanRole.Tool)], []);

        Assert.Contains(SpanIds.ExecutionId(Trace, "nowhere"), assembly.CandidateIds());
        var plan = assembly.Plan(new HashSet<Guid> { recordedAgent });

        Assert.Equal(["x", "z"], plan.Hold.Select(s => s.SpanId).Order());
        Assert.Equal(1, plan.DuplicateSpans);
        Assert.Empty(plan.Runs);
    }

    [Fact]
    public void A_refused_agent_takes_its_children_with_it_and_a_cycle_of_parents_is_no_run()
    {
        var refused = AgentSpan("r", null) with { Refusal = "disabled" };
        var assembly = new TraceAssembly([refused, Child("k", "r", SpanRole.Model), Child("p", "q", SpanRole.Other), Child("q", "p", SpanRole.Other)], []);

        var plan = assembly.Plan(new HashSet<Guid>());

        Assert.Empty(plan.Runs);
        Assert.Equal(2, plan.RefusedSpans);
        Assert.Empty(plan.Hold);
    }

    [Theory]
    [InlineData("Triage Bot", "triage-bot")]
    [InlineData("  Customer Support Agent!! ", "customer-support-agent")]
    [InlineData("_planner.v2_", "planner.v2_")]
    [InlineData("Ünïcode Ägent", "n-code-gent")]
    [InlineData("stats", null)]
    [InlineData("!!!", null)]
    public void Agent_names_follow_the_ledgers_rule(string original, string? expected) =>
        Assert.Equal(expected, SpanMapper.AgentName(original));

    [Fact]
    public void A_long_name_is_cut_to_128_characters() =>
        Assert.Equal(128, SpanMapper.AgentName(new string('a', 300))!.Length);
}
