using AgentLedger.Core.Common;
using AgentLedger.Core.Proposals;

namespace AgentLedger.Core.Telemetry;

/// <summary>The proposal store, counting decisions into the metrics once they are committed.</summary>
public sealed class TelemetryProposalStore(IProposalStore inner, LedgerTelemetry telemetry) : IProposalStore
{
    public Task<Page<Proposal>> ListAsync(ProposalFilter filter, CancellationToken cancellationToken) => inner.ListAsync(filter, cancellationToken);

    public Task<Proposal?> FindAsync(Guid id, CancellationToken cancellationToken) => inner.FindAsync(id, cancellationToken);

    public async Task<Proposal> DecideAsync(Guid id, ProposalStatus decision, string? decidedBy, string? reason, DateTimeOffset now, CancellationToken cancellationToken, string? decidedByKey = null, Access.AuditEntry? audit = null)
    {
        var decided = await inner.DecideAsync(id, decision, decidedBy, reason, now, cancellationToken, decidedByKey, audit);
        telemetry.ProposalDecided(decided.Status);
        return decided;
    }

    public Task<IReadOnlySet<string>> PendingKeysAsync(string agentName, CancellationToken cancellationToken) => inner.PendingKeysAsync(agentName, cancellationToken);

    public async Task<int> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expired = await inner.ExpireDueAsync(now, cancellationToken);
        if (expired > 0)
        {
            telemetry.ProposalDecided(ProposalStatus.Expired, expired);
        }
        return expired;
    }
}
