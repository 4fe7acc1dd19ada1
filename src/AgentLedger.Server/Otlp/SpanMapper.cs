using System.Text.RegularExpressions;
using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Traces;
using AgentLedger.Server.Otlp.Proto;

namespace AgentLedger.Server.Otlp;

/// <summary>
/// Reads OTLP spans as the ledger sees them (the mapping table of the contract): which spans are agent runs,
/// what each span adds to its run, and each agent span's run. Three dialects are understood: the OpenTelemetry
/// GenAI conventions (<c>gen_ai.*</c>), OpenInference (<c>openinference.span.kind</c>, <c>llm.*</c>) and
/// OpenLLMetry (<c>traceloop.span.kind</c>). A span that cannot be read is refused with its reason.
/// </summary>
internal sealed partial class SpanMapper(OtlpOptions options, DateTimeOffset now)
{
    private static readonly HashSet<string> AgentOperations = ["invoke_agent", "invoke_workflow"];
    private static readonly HashSet<string> ModelOperations = ["chat", "text_completion", "generate_content", "embeddings", "chat.completions", "text.completions"];

    // Opt-in content of the GenAI conventions and OpenInference: prompts, completions, tool arguments and results.
    private static readonly string[] ContentPrefixes =
        ["gen_ai.input.", "gen_ai.output.", "gen_ai.system_instructions", "gen_ai.tool.definitions", "gen_ai.prompt", "gen_ai.completion",
         "gen_ai.tool.call.arguments", "gen_ai.tool.call.result", "input.value", "output.value", "llm.input_messages", "llm.output_messages"];

    // The contract's bound on a run's metadata, with room for the fields beside kept content.
    private const int MaxContentChars = 48 * 1024;

    // A batch names few agents in many spans: each distinct name is normalised once.
    private readonly Dictionary<string, string?> _names = new(StringComparer.Ordinal);

    public List<LedgerSpan> Spans { get; } = [];

    /// <summary>Why spans were refused, for the answer's error_message.</summary>
    public List<string> Refusals { get; } = [];

    /// <summary>Refused spans that are not among <see cref="Spans"/> (unreadable ids); refused agent spans are, to refuse their children too.</summary>
    public int Unreadable { get; private set; }

    public void Add(ExportTraceServiceRequest request)
    {
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = new SpanAttributes(resourceSpans.Resource?.Attributes);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                foreach (var span in scopeSpans.Spans)
                {
                    if (Map(span, resource, scopeSpans.Scope) is { } mapped)
                    {
                        Spans.Add(mapped);
                    }
                }
            }
        }
    }

    private LedgerSpan? Map(Span span, SpanAttributes resource, InstrumentationScope? scope)
    {
        if (span.TraceId.Length != 16 || span.TraceId.Span.IndexOfAnyExcept((byte)0) < 0)
        {
            return Refuse(span, "its trace_id is not 16 bytes (32 hex digits) other than all zeros");
        }
        if (span.SpanId.Length != 8 || span.SpanId.Span.IndexOfAnyExcept((byte)0) < 0)
        {
            return Refuse(span, "its span_id is not 8 bytes (16 hex digits) other than all zeros");
        }
        if (span.ParentSpanId.Length is not (0 or 8))
        {
            return Refuse(span, "its parent_span_id is not 8 bytes (16 hex digits)");
        }
        var attributes = new SpanAttributes(span.Attributes);
        var traceId = Convert.ToHexStringLower(span.TraceId.Span);
        var spanId = Convert.ToHexStringLower(span.SpanId.Span);
        var parent = span.ParentSpanId.Length == 0 || span.ParentSpanId.Span.IndexOfAnyExcept((byte)0) < 0 ? null : Convert.ToHexStringLower(span.ParentSpanId.Span);
        var role = RoleOf(attributes);
        var model = attributes.Text("gen_ai.response.model", "gen_ai.request.model", "llm.model_name");
        var provider = attributes.Text("gen_ai.provider.name", "gen_ai.system", "llm.provider");
        var figures = Figures(attributes);
        if (role != SpanRole.Agent)
        {
            return new LedgerSpan(traceId, spanId, parent, role, figures, model, provider);
        }
        var run = Run(span, attributes, resource, scope, traceId, spanId, model, provider, out var refusal);
        if (refusal is not null)
        {
            Refusals.Add(Describe(span, refusal));
        }
        return new LedgerSpan(traceId, spanId, parent, role, figures, model, provider, run, Refusal: refusal);
    }

    private AgentSpanRun? Run(Span span, SpanAttributes attributes, SpanAttributes resource, InstrumentationScope? scope, string traceId, string spanId, string? model, string? provider, out string? refusal)
    {
        refusal = null;
        var candidates = new[]
        {
            attributes.Text("gen_ai.agent.name"),
            attributes.Text("gen_ai.agent.id"),
            AfterPrefix(span.Name, "invoke_agent "),
            AfterPrefix(span.Name, "invoke_workflow ") ?? attributes.Text("gen_ai.workflow.name"),
            resource.Text("service.name"),
        };
        string? name = null, display = null;
        foreach (var candidate in candidates)
        {
            if (candidate is not null && Normalised(candidate) is { } normalised)
            {
                (name, display) = (normalised, candidate.Trim());
                break;
            }
        }
        if (name is null)
        {
            refusal = "it names no agent (gen_ai.agent.name, gen_ai.agent.id, the span name or the resource's service.name)";
            return null;
        }
        if (span.StartTimeUnixNano == 0 || span.EndTimeUnixNano == 0)
        {
            refusal = "it has no start or end time";
            return null;
        }
        if (span.EndTimeUnixNano < span.StartTimeUnixNano)
        {
            refusal = "it ends before it starts";
            return null;
        }
        var startedAt = FromUnixNanos(span.StartTimeUnixNano);
        var completedAt = FromUnixNanos(span.EndTimeUnixNano);
        if (completedAt > now + TimeSpan.FromMinutes(5))
        {
            refusal = "it ends more than 5 minutes in the future";
            return null;
        }

        var exception = span.Events.LastOrDefault(e => e.Name == "exception") is { } e ? new SpanAttributes(e.Attributes) : null;
        var failed = span.Status?.Code == 2;
        string? errorType = null, errorMessage = null;
        var status = ExecutionStatus.Success;
        if (failed)
        {
            errorType = attributes.Text("error.type") ?? exception?.Text("exception.type");
            errorMessage = span.Status!.Message is { Length: > 0 } message ? message : exception?.Text("exception.message");
            var kind = $"{errorType} {exception?.Text("exception.type")}";
            status = kind.Contains("timeout", StringComparison.OrdinalIgnoreCase) ? ExecutionStatus.Timeout
                : kind.Contains("cancel", StringComparison.OrdinalIgnoreCase) ? ExecutionStatus.Cancelled
                : ExecutionStatus.Failed;
            errorType = errorType is { Length: > 512 } ? errorType[..512] : errorType;
        }
        var proposals = attributes.Number("agentledger.proposals.created");
        if (proposals is { } p && (p < 0 || p != Math.Floor(p) || p > int.MaxValue))
        {
            refusal = "agentledger.proposals.created is not a non-negative integer";
            return null;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["source"] = "otlp" };
        void Put(string key, string? value)
        {
            if (value is { Length: > 0 })
            {
                metadata[key] = value;
            }
        }
        Put("model", model);
        Put("provider", provider);
        Put("conversation_id", attributes.Text("gen_ai.conversation.id", "session.id"));
        Put("agent_id", attributes.Text("gen_ai.agent.id"));
        Put("service_name", resource.Text("service.name"));
        Put("service_version", resource.Text("service.version"));
        Put("scope_name", scope?.Name);
        Put("span_name", span.Name);
        if (options.KeepContent)
        {
            KeepContent(attributes, metadata);
        }

        var start = new ExecutionStart(
            name, ExecutionTrigger.External, startedAt, Id: SpanIds.ExecutionId(traceId, spanId),
            TraceId: traceId, SpanId: spanId, DisplayName: display!.Length > 256 ? display[..256] : display);
        var outcome = new ExecutionOutcome(
            status, completedAt, DurationMs: (long)((span.EndTimeUnixNano - span.StartTimeUnixNano) / 1_000_000),
            ErrorType: errorType, ErrorMessage: errorMessage, ProposalsCreated: proposals is { } count ? (int)count : 0);
        return new AgentSpanRun(start, outcome, metadata);
    }

    private static void KeepContent(SpanAttributes attributes, Dictionary<string, string> metadata)
    {
        var kept = 0;
        foreach (var (key, value) in attributes.All.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (!ContentPrefixes.Any(prefix => key.StartsWith(prefix, StringComparison.Ordinal)) || SpanAttributes.AsText(value) is not { } text)
            {
                continue;
            }
            if (kept + text.Length > MaxContentChars)
            {
                metadata["content_truncated"] = "true";
                continue;
            }
            metadata[key] = text;
            kept += text.Length;
        }
    }

    private static SpanRole RoleOf(SpanAttributes attributes)
    {
        var operation = attributes.Text("gen_ai.operation.name");
        var openInference = attributes.Text("openinference.span.kind")?.ToUpperInvariant();
        var traceloop = attributes.Text("traceloop.span.kind")?.ToLowerInvariant();
        if ((operation is not null && AgentOperations.Contains(operation)) || openInference == "AGENT" || traceloop == "agent")
        {
            return SpanRole.Agent;
        }
        if (operation == "execute_tool" || openInference == "TOOL" || traceloop == "tool")
        {
            return SpanRole.Tool;
        }
        if ((operation is not null && ModelOperations.Contains(operation)) || openInference is "LLM" or "EMBEDDING")
        {
            return SpanRole.Model;
        }
        return SpanRole.Other;
    }

    private static Dictionary<string, double> Figures(SpanAttributes attributes)
    {
        var figures = new Dictionary<string, double>(StringComparer.Ordinal);
        void Put(string metric, double? value)
        {
            if (value is { } v && v >= 0)
            {
                figures[metric] = v;
            }
        }
        Put("input_tokens", attributes.Number("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt"));
        Put("output_tokens", attributes.Number("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion"));
        Put("cache_read_input_tokens", attributes.Number("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens", "llm.token_count.prompt_details.cache_read"));
        Put("cost", attributes.Number("gen_ai.usage.cost", "gen_ai.usage.cost.amount", "llm.cost.total"));
        return figures;
    }

    private string? Normalised(string candidate)
    {
        if (!_names.TryGetValue(candidate, out var name))
        {
            _names[candidate] = name = AgentName(candidate);
        }
        return name;
    }

    /// <summary>The ledger's name rule: lower case, each run of other characters one '-', trimmed, at most 128; null when nothing is left.</summary>
    internal static string? AgentName(string original)
    {
        var name = NotAllowed().Replace(original.Trim().ToLowerInvariant(), "-").TrimStart('-', '.', '_').TrimEnd('-');
        if (name.Length > 128)
        {
            name = name[..128].TrimEnd('-');
        }
        return AgentNames.IsValid(name) ? name : null;
    }

    private static string? AfterPrefix(string spanName, string prefix) =>
        spanName.StartsWith(prefix, StringComparison.Ordinal) && spanName.Length > prefix.Length ? spanName[prefix.Length..] : null;

    private static DateTimeOffset FromUnixNanos(ulong nanos) => DateTimeOffset.UnixEpoch.AddTicks((long)(nanos / 100));

    private LedgerSpan? Refuse(Span span, string reason)
    {
        Refusals.Add(Describe(span, reason));
        Unreadable++;
        return null;
    }

    internal static string Describe(Span span, string reason) => $"span {Convert.ToHexStringLower(span.SpanId.Span)} '{span.Name}': {reason}";

    [GeneratedRegex("[^a-z0-9._-]+", RegexOptions.CultureInvariant)]
    private static partial Regex NotAllowed();
}
