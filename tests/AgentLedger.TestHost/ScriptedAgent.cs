using System.Text.Json;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Proposals;
using AgentLedger.Core.Settings;
using Microsoft.Extensions.Logging;

namespace AgentLedger.TestHost;

/// <summary>
/// A test agent whose behaviour comes from its persisted settings' config, so tests drive it
/// through the real settings API: {"outcome": "success|fail|block|hang", "delay_ms", "message",
/// "proposals", "resources", "metrics": {name: number}}.
/// </summary>
public sealed class ScriptedAgent(string name, int? intervalSeconds = null) : IAgent
{
    public static readonly string[] Outcomes = ["success", "fail", "block", "hang"];

    public string Name => name;

    public string DisplayName => $"Scripted {name}";

    public string Description => "Test agent driven by its settings' config.";

    public AgentSettings DefaultSettings => new(true, intervalSeconds ?? 3600, 30, AgentSettings.EmptyConfig);

    public IReadOnlyDictionary<string, string[]> ValidateConfig(JsonElement config)
    {
        var errors = new Dictionary<string, string[]>();
        if (config.TryGetProperty("outcome", out var outcome) && !(outcome.ValueKind == JsonValueKind.String && Outcomes.Contains(outcome.GetString())))
        {
            errors["outcome"] = ["must be one of " + string.Join(", ", Outcomes)];
        }
        if (config.TryGetProperty("delay_ms", out var delay) && !(delay.TryGetInt32(out var d) && d >= 0))
        {
            errors["delay_ms"] = ["must be a non-negative whole number"];
        }
        return errors;
    }

    public async Task<AgentRunResult> RunAsync(AgentContext context, CancellationToken cancellationToken)
    {
        var config = context.Settings.Config;
        var outcome = config.TryGetProperty("outcome", out var o) ? o.GetString() : "success";
        var delay = config.TryGetProperty("delay_ms", out var d) ? d.GetInt32() : 0;
        var message = config.TryGetProperty("message", out var m) ? m.GetString() : "scripted failure";
        if (config.TryGetProperty("log", out var log))
        {
            context.Logger.LogWarning("scripted agent says {Text}", log.GetString());
        }
        if (delay > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(delay), context.TimeProvider, cancellationToken);
        }
        switch (outcome)
        {
            case "fail":
                throw new InvalidOperationException(message);
            case "block":
                await Task.Delay(Timeout.InfiniteTimeSpan, context.TimeProvider, cancellationToken);
                break;
            case "hang":
                // Ignores its token on purpose: the runner must still record a timeout.
                await Task.Delay(TimeSpan.FromMinutes(10), CancellationToken.None);
                break;
        }
        var count = config.TryGetProperty("proposals", out var p) ? p.GetInt32() : 0;
        var proposals = Enumerable.Range(1, count)
            .Select(i => new ProposalDraft("match", $"Proposal {i} of {context.ExecutionId}", "Scripted.", [$"input-{i}"], JsonSerializer.SerializeToElement(new { n = i })))
            .ToList();
        var metrics = config.TryGetProperty("metrics", out var ms)
            ? ms.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetDouble())
            : null;
        var resources = config.TryGetProperty("resources", out var r) ? r.GetInt64() : 0;
        return new AgentRunResult(proposals, resources, metrics, JsonSerializer.SerializeToElement(new { scripted = true }));
    }
}
