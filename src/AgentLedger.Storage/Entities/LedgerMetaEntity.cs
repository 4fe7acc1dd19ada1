namespace AgentLedger.Storage.Entities;

/// <summary>Small facts about the ledger itself, e.g. up to when raw executions were archived.</summary>
public sealed class LedgerMetaEntity
{
    public const string ArchivedBefore = "archived_before";

    public required string Key { get; set; }
    public required string Value { get; set; }
}
