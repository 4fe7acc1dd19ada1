using System.Text.Json.Nodes;
using AgentLedger.Server.Auth;
using AgentLedger.Server.Contracts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace AgentLedger.Server.Apis;

/// <summary>The OpenAPI document: API key security on mutating calls, problem responses, and examples.</summary>
public static class OpenApiSetup
{
    private const string ApiKeyScheme = "ApiKey";
    private const string BearerScheme = "Bearer";

    /// <summary>Either way of sending the key.</summary>
    internal static List<OpenApiSecurityRequirement> KeyRequired(OpenApiDocument document) =>
    [
        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] },
        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] },
    ];

    public static IServiceCollection AddLedgerOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.CreateSchemaReferenceId = OpenApiConstraints.ReferenceId;
            options.AddSchemaTransformer(OpenApiConstraints.Schema);
            options.AddOperationTransformer(OpenApiConstraints.Operation);
            options.AddDocumentTransformer(OpenApiConstraints.Document);
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "AgentLedger",
                    Version = "v1",
                    Description = "Runs a community's AI agents and keeps an honest, durable ledger of every execution. "
                        + "JSON is snake_case, times are ISO-8601 UTC with Z, errors are RFC 7807 problem details. "
                        + "Mutating calls need 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.",
                };
                // Reads are open: an empty requirement says so explicitly; mutating operations name the key.
                document.Security = [new OpenApiSecurityRequirement()];
                foreach (var server in document.Servers ?? [])
                {
                    server.Url = server.Url?.TrimEnd('/');
                }
                document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [ApiKeyScheme] = new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key" },
                    [BearerScheme] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer" },
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                // Stable ids for generated clients: the handler's feature and name, e.g. Stats_GetHistory.
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<System.Reflection.MethodInfo>().FirstOrDefault() is { DeclaringType: { } type } method)
                {
                    operation.OperationId ??= $"{type.Name.Replace("Api", "", StringComparison.Ordinal)}_{method.Name}";
                }
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any())
                {
                    operation.Security = KeyRequired(context.Document!);
                }
                return Task.CompletedTask;
            });
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (Examples.TryGetValue(context.JsonTypeInfo.Type, out var example))
                {
                    schema.Examples = [JsonNode.Parse(example)!];
                }
                return Task.CompletedTask;
            });
        });

    /// <summary>Every failure an endpoint can answer, as problem details in the document.</summary>
    public static TBuilder Problems<TBuilder>(this TBuilder builder, params int[] statusCodes)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statusCodes)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
        }
        return builder;
    }

    /// <summary>A call that changes state: needs the API key (401 without it).</summary>
    public static RouteHandlerBuilder Mutating(this RouteHandlerBuilder builder) =>
        builder.RequireAuthorization().Problems(StatusCodes.Status401Unauthorized);

    /// <summary>A reporting call: the key, and the per-client rate limit (429 with Retry-After).</summary>
    public static RouteHandlerBuilder Reporting(this RouteHandlerBuilder builder) =>
        builder.Mutating().RequireRateLimiting(ReportRateLimiting.Policy).Problems(StatusCodes.Status429TooManyRequests);

    private static readonly Dictionary<string, string> Tags = new()
    {
        ["Agents"] = "The built-in and external agents, and running one now.",
        ["Settings"] = "Persisted per-agent settings (enabled, interval, timeout, config) and their history.",
        ["Stats"] = "Stats and history computed from the ledger.",
        ["Executions"] = "The execution ledger, and external agents reporting their runs.",
        ["Proposals"] = "What agents propose, and people's approvals and rejections.",
        ["Commons"] = "The community data the built-in agents read.",
        ["Alerts"] = "Health changes of agents, and their webhook deliveries.",
        ["Health"] = "Liveness and readiness probes (plain text).",
        ["OpenTelemetry"] = "OTLP/HTTP trace ingestion: agent spans of any framework become runs.",
    };

    private static readonly Dictionary<Type, string> Examples = new()
    {
        [typeof(ReportExecutionRequest)] = """
            {"agent_name": "py-matchmaker", "started_at": "2026-11-01T10:00:00Z", "completed_at": "2026-11-01T10:00:03Z",
             "status": "success", "resources_processed": 42, "metrics": {"pairs_scored": 120},
             "proposals": [{"type": "match", "title": "Ladder for Ana", "explanation": "Ben offers a ladder 300 m away.",
                            "inputs_used": ["offer-17", "need-4"], "data": {"score": 0.92}}]}
            """,
        [typeof(CompleteExecutionRequest)] = """
            {"status": "failed", "error_type": "TimeoutError", "error_message": "offers API did not answer", "resources_processed": 3}
            """,
        [typeof(DecisionRequest)] = """{"decided_by": "sam", "reason": "good fit"}""",
        [typeof(ProposalRequest)] = """{"type": "match", "title": "Ladder for Ana", "inputs_used": ["offer-17", "need-4"]}""",
    };
}
