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
                        + "Keys go in 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'; each operation names the role it needs.",
                };
                // Open unless an operation says otherwise: each operation with a minimum role names the key.
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
                var access = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiredAccess>().LastOrDefault();
                if (access is not null && access.Level != AccessLevel.Open)
                {
                    operation.Security = KeyRequired(context.Document!);
                    if (access.Level == AccessLevel.Read)
                    {
                        // Optional: reads need no key on a loopback-only listener or with AgentLedger:Auth:PublicReads.
                        operation.Security.Insert(0, new OpenApiSecurityRequirement());
                    }
                    operation.Description = (operation.Description is null ? "" : operation.Description + "\n\n") + $"Access: {Describe(access.Level)}.";
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

    /// <summary>A reporting call: a report key (for the agent, checked in the handler) or an admin, and the per-client rate limit (429 with Retry-After).</summary>
    public static RouteHandlerBuilder Reporting(this RouteHandlerBuilder builder) =>
        builder.Access(AccessLevel.Report).RequireRateLimiting(ReportRateLimiting.Policy);

    private static string Describe(AccessLevel level) => level switch
    {
        AccessLevel.Read => "any key (no key on a loopback-only listener, or with AgentLedger:Auth:PublicReads)",
        AccessLevel.AnyKey => "any valid key",
        AccessLevel.Report => "a 'report' key whose agents match the run's agent (403 otherwise), or an 'admin' key",
        AccessLevel.Review => "a 'review' or 'admin' key",
        AccessLevel.Admin => "an 'admin' key",
        _ => "open",
    };

    private static readonly Dictionary<string, string> Tags = new()
    {
        ["Access"] = "Named keys with roles, who you are, and the audit log.",
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
