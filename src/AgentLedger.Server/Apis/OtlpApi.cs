using System.Security.Claims;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Settings;
using AgentLedger.Core.Traces;
using AgentLedger.Server.Auth;
using AgentLedger.Server.Otlp;
using AgentLedger.Server.Otlp.Proto;
using Microsoft.Extensions.Options;

namespace AgentLedger.Server.Apis;

/// <summary>
/// OTLP/HTTP trace ingestion: agent spans of any framework become ledger runs, with no code in the agent
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT=http://host/otel</c>).
/// </summary>
public static class OtlpApi
{
    public const string TracesPath = "/otel/v1/traces";

    public static IEndpointRouteBuilder MapOtlpApi(this IEndpointRouteBuilder app)
    {
        var otel = app.MapGroup("/otel/v1").WithTags("OpenTelemetry");
        // 503 (database unavailable) is the ledger's problem detail with Retry-After, as on every write; exporters retry it.
        otel.MapPost("/traces", ExportTraces).Reporting().Problems(StatusCodes.Status503ServiceUnavailable).WithOtlpDocumentation()
            .WithSummary("Receives OpenTelemetry traces (OTLP/HTTP, protobuf or JSON, optionally gzip): each agent span becomes a finished run of its agent.");
        return app;
    }

    /// <summary>
    /// SDKs configured with one OTLP endpoint also export metrics and logs there. No operation takes them (they
    /// would be accepted and dropped), so they meet a 404 whose body says where traces go, key or no key.
    /// </summary>
    public static IApplicationBuilder UseOtlpOtherSignals(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.Value is "/otel/v1/metrics" or "/otel/v1/logs")
            {
                await NotTraces(context.Request).ExecuteAsync(context);
                return;
            }
            await next(context);
        });

    public static async Task<IResult> ExportTraces(
        HttpRequest http, IExecutionLedger ledger, SettingsService settings, IAgentReportPolicy policy, IOptions<OtlpOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, encoding, refusal) = await OtlpBody.ReadAsync(http, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }
        var now = time.GetUtcNow();
        var mapper = new SpanMapper(options.Value, now);
        mapper.Add(request!);
        var spans = await AdmitAsync(mapper, http.HttpContext.User, settings, policy, cancellationToken);
        var result = await ledger.RecordSpansAsync(spans, now, now - options.Value.OrphanLimit, cancellationToken);

        var response = new ExportTraceServiceResponse();
        var rejected = mapper.Unreadable + result.RefusedSpans;
        if (rejected > 0)
        {
            response.PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = rejected, ErrorMessage = Summary(mapper.Refusals) };
        }
        return new OtlpResult(StatusCodes.Status200OK, response, encoding);
    }

    private static IResult NotTraces(HttpRequest http) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Not found.",
        detail: $"AgentLedger does not take OpenTelemetry {http.Path.Value?.Split('/').Last()}: send traces to {TracesPath} (set OTEL_TRACES_EXPORTER=otlp and OTEL_METRICS_EXPORTER=none, OTEL_LOGS_EXPORTER=none). Nothing was recorded.");

    /// <summary>
    /// Applies what the ledger says about each agent before anything is written: a caller not allowed to report
    /// an agent, or an agent disabled in its settings, has its spans refused (and their children with them).
    /// </summary>
    private static async Task<List<LedgerSpan>> AdmitAsync(SpanMapper mapper, ClaimsPrincipal caller, SettingsService settings, IAgentReportPolicy policy, CancellationToken cancellationToken)
    {
        var verdicts = new Dictionary<string, (string? Refusal, AgentSettings? Settings)>(StringComparer.Ordinal);
        var admitted = new List<LedgerSpan>(mapper.Spans.Count);
        foreach (var span in mapper.Spans)
        {
            if (span is not { Run: { } run, Refusal: null })
            {
                admitted.Add(span);
                continue;
            }
            var agent = run.Start.AgentName;
            if (!verdicts.TryGetValue(agent, out var verdict))
            {
                verdict = policy.Refusal(caller, agent) is { } denied ? (denied, null) : (null, (await settings.GetAsync(agent, cancellationToken)).Settings);
                if (verdict is { Refusal: null, Settings.Enabled: false })
                {
                    verdict = ($"agent '{agent}' is disabled in its settings, so its new runs are refused", verdict.Settings);
                }
                verdicts[agent] = verdict;
            }
            if (verdict.Refusal is { } reason)
            {
                mapper.Refusals.Add($"span {span.SpanId}: {reason}");
                admitted.Add(span with { Refusal = reason });
                continue;
            }
            // A run longer than the agent's timeout is kept as it happened, and flagged, as reported runs are.
            var overTimeout = run.Outcome.DurationMs > verdict.Settings!.TimeoutSeconds * 1000L;
            admitted.Add(span with { Run = run with { Outcome = run.Outcome with { OverTimeout = overTimeout } } });
        }
        return admitted;
    }

    private static string Summary(List<string> refusals)
    {
        const int shown = 5;
        var text = string.Join("; ", refusals.Take(shown));
        return refusals.Count > shown ? $"{text}; and {refusals.Count - shown} more" : text;
    }
}
