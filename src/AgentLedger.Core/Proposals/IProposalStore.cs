using AgentLedger.Core.Common;

namespace AgentLedger.Core.Proposals;

public interface IProposalStore
{
    Task<Page<Proposal>> ListAsync(ProposalFilter filter, CancellationToken cancellationToken);

    Task<Proposal?> FindAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// Approves or rejects a pending proposal and updates the rollups in the same transaction.
    /// Throws <see cref="NotFoundException"/>, or <see cref="ConflictException"/> unless it is pending
    /// (a pending proposal already past its expiry is expired instead, and the call conflicts).
    /// </summary>
    /// <param name="decidedByKey">The name of the caller's key, recorded beside the free-text <paramref name="decidedBy"/>.</param>
    /// <param name="audit">Written in the same transaction as the decision.</param>
    Task<Proposal> DecideAsync(Guid id, ProposalStatus decision, string? decidedBy, string? reason, DateTimeOffset now, CancellationToken cancellationToken, string? decidedByKey = null, Access.AuditEntry? audit = null);

    /// <summary>The <see cref="ProposalKey"/> of every pending proposal of an agent.</summary>
    Task<IReadOnlySet<string>> PendingKeysAsync(string agentName, CancellationToken cancellationToken);

    /// <summary>Expires pending proposals whose <c>expires_at</c> has passed; returns how many.</summary>
    Task<int> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
