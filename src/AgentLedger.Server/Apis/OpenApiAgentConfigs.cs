using System.Globalization;
using System.Text.Json.Nodes;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Alerts;
using AgentLedger.Core.Insights;
using AgentLedger.Core.Proposals;
using Microsoft.OpenApi;

namespace AgentLedger.Server.Apis;

/// <summary>
/// The settings' <c>config</c>: one schema per agent that publishes its keys (built from the same
/// calls that check them, see <c>ConfigReader.Describing</c>), and one for agents with keys of their
/// own. One settings path serves every agent, so <c>config</c> is any of them; the agent's name says which.
/// </summary>
internal static class OpenApiAgentConfigs
{
    public const string ComponentId = "AgentConfig";
    public const string OwnKeysId = ComponentId + ".own-keys";

    /// <summary>Adds the components and returns a reference to the one <c>config</c> points at.</summary>
    public static IOpenApiSchema Add(OpenApiDocument document, AgentCatalog catalog)
    {
        var schemas = document.Components!.Schemas!;
        var choices = new List<IOpenApiSchema>();
        foreach (var agent in catalog.All.Where(a => a.ConfigSchema is not null).OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            var id = $"{ComponentId}.{agent.Name}";
            var schema = FromJson(agent.ConfigSchema!);
            schema.Description = $"The config of {agent.Name}: its own keys (absent means the default shown), and the keys every agent has. "
                + "A key of another agent is ignored; rules that join keys (e.g. one tier below the next) are checked on save too, a 422 naming the key.";
            foreach (var (key, shared) in Shared())
            {
                schema.Properties![key] = shared;
            }
            schemas[id] = schema;
            choices.Add(new OpenApiSchemaReference(id, document));
        }
        schemas[OwnKeysId] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "The config of an agent that reports from outside (or runs here without a published schema): keys of its own, "
                + "kept as sent, and the keys every agent has.",
            Properties = Shared(),
        };
        choices.Add(new OpenApiSchemaReference(OwnKeysId, document));
        schemas[ComponentId] = new OpenApiSchema
        {
            Description = "An agent's config (GET …/settings shows it with its defaults; an invalid key is a 422 naming it). "
                + $"Built-in agents publish their keys as {ComponentId}.<agent name>.",
            AnyOf = choices,
        };
        return new OpenApiSchemaReference(ComponentId, document);
    }

    /// <summary>The keys the runner, the health judge and the alerts read for every agent.</summary>
    private static Dictionary<string, IOpenApiSchema> Shared() => new(StringComparer.Ordinal)
    {
        [ProposalRules.TtlKey] = new OpenApiSchema
        {
            Type = JsonSchemaType.Number,
            ExclusiveMinimum = Invariant(0),
            Maximum = Invariant(ProposalRules.MaxTtlHours),
            Default = ProposalRules.DefaultTtlHours,
            Description = "Hours a proposal of this agent stays pending before it expires.",
        },
        [AgentHealth.FailingAfterKey] = new OpenApiSchema
        {
            Type = JsonSchemaType.Number,
            Minimum = Invariant(1),
            Default = AgentHealth.DefaultFailingAfter,
            Description = "Health is 'failing' after this many failed runs in a row.",
        },
        [AgentHealth.StaleAfterKey] = new OpenApiSchema
        {
            Type = JsonSchemaType.Number,
            Minimum = Invariant(1),
            Default = AgentHealth.DefaultStaleAfterIntervals,
            Description = "A scheduled agent is 'stale' without a successful run for this many intervals.",
        },
        [AgentHealth.StuckAfterKey] = new OpenApiSchema
        {
            Type = JsonSchemaType.Number,
            Minimum = Invariant(1),
            Description = "A run open longer than this many seconds makes the agent 'stuck'; absent: the agent's timeout_seconds.",
        },
        [AlertRules.WebhookUrlKey] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Pattern = "^[Hh][Tt][Tt][Pp][Ss]?://",
            Description = "An absolute http(s) URL that receives a POST when the agent's health changes.",
        },
    };

    /// <summary>The subset of JSON Schema that <c>ConfigReader</c> writes: object, number and integer keys with bounds and defaults.</summary>
    private static OpenApiSchema FromJson(JsonObject json)
    {
        var schema = new OpenApiSchema
        {
            Type = (string?)json["type"] switch
            {
                "object" => JsonSchemaType.Object,
                "number" => JsonSchemaType.Number,
                "integer" => JsonSchemaType.Integer,
                var other => throw new InvalidOperationException($"A config schema of type '{other}' is not supported."),
            },
            Minimum = json["minimum"]?.GetValue<double>() is { } min ? Invariant(min) : null,
            ExclusiveMinimum = json["exclusiveMinimum"]?.GetValue<double>() is { } exclusive ? Invariant(exclusive) : null,
            Maximum = json["maximum"]?.GetValue<double>() is { } max ? Invariant(max) : null,
            Default = json["default"]?.DeepClone(),
        };
        if (json["properties"] is JsonObject properties)
        {
            schema.Properties = properties.ToDictionary(p => p.Key, p => (IOpenApiSchema)FromJson(p.Value!.AsObject()), StringComparer.Ordinal);
        }
        if (json["additionalProperties"] is JsonValue closed && !closed.GetValue<bool>())
        {
            schema.AdditionalPropertiesAllowed = false;
        }
        return schema;
    }

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
