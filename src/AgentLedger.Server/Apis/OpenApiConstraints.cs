using System.Text.Json;
using System.Text.Json.Nodes;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;
using AgentLedger.Core.Settings;
using AgentLedger.Server.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AgentLedger.Server.Apis;

/// <summary>
/// What the generator cannot see in the handlers' signatures but the server enforces or sends:
/// problem members, date-time and enum types, nullable objects, query and body constraints,
/// the headers clients act on, and the answers of the framework itself (415, 400 on a bad query).
/// The test suite checks every answer against the result, so this is kept honest by the tests.
/// </summary>
internal static class OpenApiConstraints
{
    public const string NamePattern = "^[a-z0-9][a-z0-9._-]{0,127}$";
    private const string WindowPattern = "^[1-9][0-9]{0,3}[hd]$";
    private const string SettingsUpdateSchema = "SettingsUpdate";

    private static readonly string[] FinalStatuses = ["success", "failed", "timeout", "cancelled"];

    /// <summary>Types whose schema is written inline: a JSON object of the caller's own keys.</summary>
    public static string? ReferenceId(System.Text.Json.Serialization.Metadata.JsonTypeInfo type) =>
        type.Type == typeof(JsonElement) || type.Type == typeof(JsonElement?) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);

    public static Task Schema(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(ProblemDetails) || type == typeof(HttpValidationProblemDetails))
        {
            Problem(schema);
        }
        else if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
        {
            schema.Type = JsonSchemaType.String;
            schema.Format = "date-time";
        }
        else if (type == typeof(DateTimeOffset?) || type == typeof(DateTime?))
        {
            schema.Type = JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format = "date-time";
        }
        else if (type == typeof(JsonElement))
        {
            // Everywhere the contract carries free JSON it is an object: metadata, data, config.
            schema.Type = JsonSchemaType.Object;
        }
        else if (type == typeof(JsonElement?))
        {
            schema.Type = JsonSchemaType.Object | JsonSchemaType.Null;
            schema.OneOf = null;
        }
        else if (schema.Enum is { Count: > 0 } && schema.Type is null)
        {
            schema.Type = JsonSchemaType.String;
        }
        if (context.JsonPropertyInfo is { } property)
        {
            Property(schema, property.DeclaringType, property.Name);
        }
        return Task.CompletedTask;
    }

    /// <summary>RFC 9457 problem details as this server writes them: with trace_id, and errors on validation problems.</summary>
    private static void Problem(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.Object;
        schema.Required = new HashSet<string> { "type", "title", "status" };
        schema.AdditionalProperties = null;
        schema.AdditionalPropertiesAllowed = false;
        schema.Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A URI reference that identifies the problem type." },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "400", Maximum = "599" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["trace_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The W3C trace id of the request, to find it in logs and traces." },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Every problem of the request: JSON path of the field → messages.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        };
    }

    private static void Property(OpenApiSchema schema, Type owner, string name)
    {
        switch (name)
        {
            case "agent_name":
            case "name" when owner == typeof(AgentSummary):
                schema.Pattern = NamePattern;
                // Required in a report: the C# type is nullable only to answer a missing name with a 400 naming it.
                schema.Type = JsonSchemaType.String;
                break;
            case "trigger" when owner == typeof(ReportExecutionRequest):
                schema.Type = JsonSchemaType.String;
                schema.Enum = [.. WireNames<ExecutionTrigger>.All.Select(v => (JsonNode)v)];
                schema.Default = "external";
                break;
            case "status" when owner == typeof(ReportExecutionRequest) || owner == typeof(CompleteExecutionRequest):
                // Without a status a report starts a run; with one it records a finished run.
                schema.Type = JsonSchemaType.String;
                schema.Enum = [.. FinalStatuses.Select(v => (JsonNode)v)];
                break;
            case "proposals_created" or "resources_processed" or "runs" or "success_count" or "failure_count" or "running_count" or "duration_ms" or "cpu_ms" or "allocated_bytes" or "consecutive_failures" or "total_runs" or "error_count"
                when owner != typeof(Core.Stats.WindowDeltas): // a delta between two windows can be negative
                schema.Minimum = "0";
                break;
            case "type" or "title" when owner == typeof(ProposalRequest):
                schema.Type = JsonSchemaType.String;
                schema.MinLength = 1;
                break;
            case "interval_seconds" when owner == typeof(SettingsView):
                schema.Minimum = AgentSettings.MinIntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                schema.Maximum = AgentSettings.MaxIntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "timeout_seconds" when owner == typeof(SettingsView):
                schema.Minimum = AgentSettings.MinTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                schema.Maximum = AgentSettings.MaxTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
        }
    }

    public static Task Operation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var path = "/" + (context.Description.RelativePath ?? "").Trim('/');
        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
        {
            Parameter(parameter, path);
        }
        var responses = operation.Responses ??= [];
        // The framework's own refusals: a query value of the wrong type, a body of another media type.
        if ((operation.Parameters ?? []).Any(p => p.In == ParameterLocation.Query && p.Schema?.Type is { } t && !t.HasFlag(JsonSchemaType.String)))
        {
            AddProblem(responses, StatusCodes.Status400BadRequest, context.Document!);
        }
        if (operation.RequestBody is not null)
        {
            AddProblem(responses, StatusCodes.Status415UnsupportedMediaType, context.Document!);
        }
        if (path == "/api/agents/{name}/settings" && context.Description.HttpMethod == "PUT")
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = new OpenApiSchemaReference(SettingsUpdateSchema, context.Document) } },
            };
        }
        foreach (var (code, response) in responses)
        {
            if (response is not OpenApiResponse concrete)
            {
                continue;
            }
            concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
            concrete.Headers["Server-Timing"] = new OpenApiHeader { Description = "W3C Server Timing: app;dur=<milliseconds in the server>.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            if (code is "201" or "202")
            {
                concrete.Headers["Location"] = new OpenApiHeader { Required = true, Description = "The URL of the execution.", Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" } };
            }
            if (code is "429" or "503")
            {
                concrete.Headers["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before retrying.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" } };
            }
        }
        return Task.CompletedTask;
    }

    private static void Parameter(OpenApiParameter parameter, string path)
    {
        if (parameter.Schema is not OpenApiSchema schema)
        {
            return;
        }
        switch (parameter.Name)
        {
            case "name" when parameter.In == ParameterLocation.Path && path.StartsWith("/api/agents/", StringComparison.Ordinal):
            case "agent_name" or "agent" when parameter.In == ParameterLocation.Query:
                schema.Pattern = NamePattern;
                break;
            case "window":
                schema.Pattern = WindowPattern;
                parameter.Description = "Nh or Nd, 1h … 400d.";
                schema.Default = path.EndsWith("/history", StringComparison.Ordinal) ? "7d" : "30d";
                break;
            case "bucket":
                schema.Enum = ["1h", "1d"];
                schema.Default = "1h";
                break;
            case "compare":
                schema.Enum = ["previous"];
                parameter.Description = "previous: also the window before this one, and the differences.";
                break;
            case "status" when path.StartsWith("/api/proposals", StringComparison.Ordinal):
                schema.Enum = [.. WireNames<ProposalStatus>.All.Select(v => (JsonNode)v)];
                break;
            case "status" when path.EndsWith("/executions", StringComparison.Ordinal):
                schema.Enum = [.. WireNames<ExecutionStatus>.All.Select(v => (JsonNode)v)];
                break;
            case "trace_id":
                schema.Pattern = "^[0-9a-fA-F]{32}$";
                parameter.Description = "Only the runs recorded from this OpenTelemetry trace (32 hex digits, either case).";
                break;
            case "from" or "to":
                schema.Format = "date-time";
                break;
            case "limit":
                schema.Minimum = "1";
                schema.Maximum = ApiQuery.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
                schema.Default = ApiQuery.DefaultLimit;
                break;
            case "wait" or "force":
                schema.Default = false;
                break;
        }
    }

    private static void AddProblem(OpenApiResponses responses, int status, OpenApiDocument document)
    {
        var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!responses.ContainsKey(code))
        {
            responses[code] = new OpenApiResponse
            {
                Description = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(nameof(ProblemDetails), document) } },
            };
        }
    }

    /// <summary>Components and paths the handlers do not declare: the settings body and config, the health checks and /metrics.</summary>
    public static Task Document(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        var config = OpenApiAgentConfigs.Add(document, context.ApplicationServices.GetRequiredService<AgentCatalog>());
        if (document.Components.Schemas.TryGetValue(nameof(SettingsView), out var view) && view is OpenApiSchema { Properties: { } properties })
        {
            properties["config"] = config;
        }
        document.Components.Schemas[SettingsUpdateSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "A partial update: only the fields present change.",
            AdditionalPropertiesAllowed = false,
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["enabled"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
                ["interval_seconds"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int32", Minimum = Invariant(AgentSettings.MinIntervalSeconds), Maximum = Invariant(AgentSettings.MaxIntervalSeconds) },
                ["timeout_seconds"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = Invariant(AgentSettings.MinTimeoutSeconds), Maximum = Invariant(AgentSettings.MaxTimeoutSeconds) },
                ["config"] = config,
                ["updated_by"] = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 200 },
            },
        };
        document.Paths ??= [];
        document.Paths["/health/live"] = Health("Health_Live", "The process is up.");
        document.Paths["/health/ready"] = Health("Health_Ready", "The database answers and every migration is applied.");
        document.Paths["/metrics"] = Metrics(document);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The Prometheus scrape endpoint. Whether it needs the key is the operator's choice, so the document
    /// says both (no key, or the key) instead of changing with the configuration.
    /// </summary>
    private static OpenApiPathItem Metrics(OpenApiDocument document)
    {
        var operation = new OpenApiOperation
        {
            OperationId = "Telemetry_Metrics",
            Summary = "Prometheus metrics: runs, durations, proposals, health and the process (text exposition format, or OpenMetrics when asked for).",
            Description = "Open unless AgentLedger:ProtectMetrics is true; then it needs the key like a mutating call, and answers 401 without it.",
            Tags = new HashSet<OpenApiTagReference> { new("Health") },
            Responses = new OpenApiResponses
            {
                ["200"] = new OpenApiResponse
                {
                    Description = "The current values of every metric.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                        ["application/openmetrics-text"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                    },
                },
            },
        };
        operation.Security = [new OpenApiSecurityRequirement(), .. OpenApiSetup.KeyRequired(document)];
        AddProblem(operation.Responses, StatusCodes.Status401Unauthorized, document);
        return new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Get] = operation } };
    }

    private static OpenApiPathItem Health(string id, string summary)
    {
        OpenApiResponse Text(string description) => new()
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = ["Healthy", "Degraded", "Unhealthy"] } } },
            Headers = new Dictionary<string, IOpenApiHeader> { ["Server-Timing"] = new OpenApiHeader { Description = "W3C Server Timing.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
        };
        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = id,
                    Summary = summary,
                    Tags = new HashSet<OpenApiTagReference> { new("Health") },
                    Responses = new OpenApiResponses { ["200"] = Text("Healthy."), ["503"] = Text("Unhealthy.") },
                },
            },
        };
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
