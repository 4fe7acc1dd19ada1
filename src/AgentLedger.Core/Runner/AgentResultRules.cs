using AgentLedger.Core.Agents;
using AgentLedger.Core.Proposals;

namespace AgentLedger.Core.Runner;

/// <summary>The same rules an external report must meet, applied to what an in-process agent returns.</summary>
public static class AgentResultRules
{
    /// <summary>Null when the result is acceptable, else what is wrong with it.</summary>
    public static string? Check(AgentRunResult result)
    {
        if (result.ResourcesProcessed < 0)
        {
            return "resources_processed must not be negative.";
        }
        foreach (var (name, value) in result.Metrics ?? new Dictionary<string, double>())
        {
            if (!double.IsFinite(value))
            {
                return $"metric '{name}' is not a finite number.";
            }
        }
        return result.Proposals.Select(CheckProposal).FirstOrDefault(problem => problem is not null);
    }

    public static string? CheckProposal(ProposalDraft proposal)
    {
        if (string.IsNullOrWhiteSpace(proposal.Type))
        {
            return "a proposal needs a non-empty type.";
        }
        if (string.IsNullOrWhiteSpace(proposal.Title))
        {
            return "a proposal needs a non-empty title.";
        }
        if (proposal.Data is { } data && data.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            return "a proposal's data must be a JSON object.";
        }
        return null;
    }
}
