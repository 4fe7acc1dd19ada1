using System.Text.Json;
using AgentLedger.Core.Executions;

namespace AgentLedger.Core.Traces;

/// <summary>
/// Folds a batch of spans, together with the spans held from earlier batches, into agent runs. Every
/// non-agent span belongs to its nearest agent ancestor; its figures count only where the agent span lacks
/// that figure itself, so a total reported on the agent span is never added to again. Resolution takes
/// two steps because whether a span's ancestor was recorded earlier is a question for the store:
/// <see cref="CandidateIds"/> names the executions to look up, <see cref="Plan"/> takes those that exist.
/// </summary>
public sealed class TraceAssembly
{
    public const string ToolCalls = "tool_calls";
    public const string ModelCalls = "model_calls";

    private readonly Dictionary<(string, string), LedgerSpan> _nodes = [];
    private readonly HashSet<(string, string)> _held = [];
    private readonly int _redelivered;

    // Each id is asked for several times per batch (candidates, plan, runs); hashing it once keeps that work short.
    private readonly Dictionary<(string, string), Guid> _ids = [];

    public TraceAssembly(IEnumerable<LedgerSpan> incoming, IEnumerable<LedgerSpan> held)
    {
        foreach (var span in held)
        {
            _nodes.TryAdd(span.Key, span);
            _held.Add(span.Key);
        }
        foreach (var span in incoming)
        {
            // A span seen twice (in this batch, or already held) is one span.
            if (!_nodes.TryAdd(span.Key, span))
            {
                _redelivered++;
            }
            else if (span.Run?.Start.Id is { } id)
            {
                _ids[span.Key] = id;
            }
        }
    }

    private Guid Id(string traceId, string spanId)
    {
        if (!_ids.TryGetValue((traceId, spanId), out var id))
        {
            _ids[(traceId, spanId)] = id = SpanIds.ExecutionId(traceId, spanId);
        }
        return id;
    }

    /// <summary>The executions whose existence decides the plan: every agent span's, and every unknown ancestor's.</summary>
    public IReadOnlyCollection<Guid> CandidateIds()
    {
        var ids = new HashSet<Guid>(AncestorIds());
        foreach (var node in _nodes.Values)
        {
            if (node.Role == SpanRole.Agent)
            {
                ids.Add(Id(node.TraceId, node.SpanId));
            }
        }
        return ids;
    }

    /// <summary>
    /// The unknown ancestors' executions alone: what decides the plan once the batch's own agent spans are taken to be
    /// new. A writer that plans with these inserts the agent spans' rows knowing that one recorded already fails on
    /// its id, and then plans again with every candidate looked up.
    /// </summary>
    public IReadOnlyCollection<Guid> AncestorIds()
    {
        var ids = new HashSet<Guid>();
        foreach (var node in _nodes.Values)
        {
            if (Frontier(node) is { } unknown)
            {
                ids.Add(Id(node.TraceId, unknown));
            }
        }
        return ids;
    }

    public TracePlan Plan(IReadOnlySet<Guid> recorded)
    {
        var hold = new List<LedgerSpan>();
        var release = new List<(string, string)>();
        var duplicates = _redelivered;
        var refused = 0;
        var parts = new Dictionary<(string, string), List<LedgerSpan>>();
        foreach (var node in _nodes.Values)
        {
            var held = _held.Contains(node.Key);
            if (node.Role == SpanRole.Agent)
            {
                if (recorded.Contains(Id(node.TraceId, node.SpanId)))
                {
                    duplicates++;
                }
                else if (node.Refusal is not null)
                {
                    refused++;
                }
                continue;
            }
            var owner = NearestAgent(node, out var unknown);
            if (owner is not null)
            {
                if (recorded.Contains(Id(owner.TraceId, owner.SpanId)))
                {
                    Count(ref duplicates, held);
                }
                else if (owner.Refusal is not null)
                {
                    Count(ref refused, held);
                }
                else
                {
                    (parts.TryGetValue(owner.Key, out var list) ? list : parts[owner.Key] = []).Add(node);
                }
                if (held)
                {
                    release.Add(node.Key);
                }
            }
            else if (unknown is not null && recorded.Contains(Id(node.TraceId, unknown)))
            {
                // Its agent run is recorded already: this is a redelivery of a span that was folded into it.
                Count(ref duplicates, held);
                if (held)
                {
                    release.Add(node.Key);
                }
            }
            else if (unknown is not null)
            {
                // Its agent span has not arrived yet: kept until it does (or until the orphan limit).
                if (!held)
                {
                    hold.Add(node);
                }
            }
            else if (held)
            {
                // A chain that ends at a root outside any agent: not part of any run.
                release.Add(node.Key);
            }
        }

        var runs = new List<(ExecutionStart, ExecutionOutcome)>();
        foreach (var agent in _nodes.Values.Where(n => n is { Role: SpanRole.Agent, Run: not null, Refusal: null }))
        {
            var id = Id(agent.TraceId, agent.SpanId);
            if (recorded.Contains(id))
            {
                continue;
            }
            var run = agent.Run!;
            var children = parts.TryGetValue(agent.Key, out var list) ? list : [];
            var parentAgent = agent.ParentSpanId is null ? null : NearestAgentAbove(agent, out var unknownParent) is { } p
                ? Id(p.TraceId, p.SpanId)
                : unknownParent is not null && recorded.Contains(Id(agent.TraceId, unknownParent))
                    ? Id(agent.TraceId, unknownParent)
                    : (Guid?)null;
            runs.Add((run.Start with { ParentExecutionId = parentAgent }, Fold(agent, run, children)));
        }
        return new TracePlan(runs, hold, release, duplicates, refused);
    }

    private static void Count(ref int counter, bool held)
    {
        if (!held)
        {
            counter++;
        }
    }

    private static ExecutionOutcome Fold(LedgerSpan agent, AgentSpanRun run, List<LedgerSpan> children)
    {
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in agent.Figures)
        {
            metrics[name] = value;
        }
        var fromChildren = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var child in children)
        {
            foreach (var (name, value) in child.Figures)
            {
                fromChildren[name] = fromChildren.GetValueOrDefault(name) + value;
            }
        }
        foreach (var (name, value) in fromChildren)
        {
            metrics.TryAdd(name, value);
        }
        metrics[ToolCalls] = children.Count(c => c.Role == SpanRole.Tool);
        metrics[ModelCalls] = children.Count(c => c.Role == SpanRole.Model);

        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in run.Metadata)
        {
            metadata[key] = value;
        }
        if (!metadata.ContainsKey("model") && (agent.Model ?? children.Select(c => c.Model).FirstOrDefault(m => m is not null)) is { } model)
        {
            metadata["model"] = model;
        }
        if (!metadata.ContainsKey("provider") && (agent.Provider ?? children.Select(c => c.Provider).FirstOrDefault(m => m is not null)) is { } provider)
        {
            metadata["provider"] = provider;
        }
        return run.Outcome with { Metrics = metrics, Metadata = ToElement(metadata) };
    }

    /// <summary>The metadata object written directly: the serializer's dictionary path was a quarter of planning a batch.</summary>
    private static JsonElement ToElement(SortedDictionary<string, string> metadata)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in metadata)
            {
                writer.WriteString(key, value);
            }
            writer.WriteEndObject();
        }
        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>The nearest agent span above a non-agent one; else null, with the first unknown ancestor id (null at a root).</summary>
    private LedgerSpan? NearestAgent(LedgerSpan node, out string? unknown)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var current = node;
        while (current.Role != SpanRole.Agent)
        {
            if (current.ParentSpanId is not { } parent || !seen.Add(current.SpanId))
            {
                unknown = null;
                return null;
            }
            if (!_nodes.TryGetValue((current.TraceId, parent), out var next))
            {
                unknown = parent;
                return null;
            }
            current = next;
        }
        unknown = null;
        return current;
    }

    private LedgerSpan? NearestAgentAbove(LedgerSpan agent, out string? unknown)
    {
        if (agent.ParentSpanId is not { } parent)
        {
            unknown = null;
            return null;
        }
        if (!_nodes.TryGetValue((agent.TraceId, parent), out var next))
        {
            unknown = parent;
            return null;
        }
        return NearestAgent(next, out unknown);
    }

    private string? Frontier(LedgerSpan node)
    {
        if (node.Role == SpanRole.Agent)
        {
            NearestAgentAbove(node, out var above);
            return above;
        }
        NearestAgent(node, out var unknown);
        return unknown;
    }
}
