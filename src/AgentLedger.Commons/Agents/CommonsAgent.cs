using System.Text.Json;
using System.Text.Json.Nodes;
using AgentLedger.Commons.Model;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Proposals;
using AgentLedger.Core.Settings;

namespace AgentLedger.Commons.Agents;

/// <summary>What one evaluation of a snapshot found: proposals, how many records were examined, and the agent's metrics.</summary>
public sealed record CommonsFindings(
    IReadOnlyList<ProposalDraft> Proposals,
    long RecordsExamined,
    IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// The shape every built-in commons agent shares: read the config, read one snapshot, hand both
/// to pure logic with the run's start time as "now". Keeping the logic pure lets tests drive it
/// with hand-made snapshots and fixed times.
/// </summary>
public abstract class CommonsAgent<TConfig>(ICommonsReader reader) : IAgent
    where TConfig : notnull
{
    public const int DefaultTimeoutSeconds = 120;

    private static readonly JsonSerializerOptions ConfigJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public abstract string Name { get; }

    public abstract string DisplayName { get; }

    public abstract string Description { get; }

    public AgentSettings DefaultSettings =>
        new(EnabledByDefault, IntervalSeconds, DefaultTimeoutSeconds, JsonSerializer.SerializeToElement(DefaultConfig, ConfigJson));

    protected abstract int IntervalSeconds { get; }

    protected virtual bool EnabledByDefault => true;

    protected abstract TConfig DefaultConfig { get; }

    public IReadOnlyDictionary<string, string[]> ValidateConfig(JsonElement config)
    {
        var errors = new ConfigErrors();
        ReadConfig(new ConfigReader(config, errors));
        return errors.ToDictionary();
    }

    public JsonObject ConfigSchema
    {
        get
        {
            var schema = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
            ReadConfig(ConfigReader.Describing(schema));
            return schema;
        }
    }

    public async Task<AgentRunResult> RunAsync(AgentContext context, CancellationToken cancellationToken)
    {
        var errors = new ConfigErrors();
        var config = ReadConfig(new ConfigReader(context.Settings.Config, errors));
        if (errors.Any)
        {
            // Settings are validated when saved, so this only happens with config stored by an older
            // version; failing the run says so, where silently using defaults would hide it.
            throw new InvalidOperationException($"The config of '{Name}' is invalid: {errors}.");
        }

        var snapshot = await reader.ReadAsync(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var findings = Evaluate(snapshot, context.StartedAt, config);

        var metadata = JsonSerializer.SerializeToElement(new
        {
            records_examined = findings.RecordsExamined,
            proposals = findings.Proposals.Count,
            counts = findings.Metrics,
            config = JsonSerializer.SerializeToElement(config, ConfigJson),
        });
        return new AgentRunResult(findings.Proposals, findings.RecordsExamined, findings.Metrics, metadata);
    }

    /// <summary>Reads the config over the defaults; the reader collects every problem (or, describing, the schema).</summary>
    protected abstract TConfig ReadConfig(ConfigReader config);

    protected abstract CommonsFindings Evaluate(CommonsSnapshot snapshot, DateTimeOffset now, TConfig config);
}
