namespace AgentLedger.Storage;

/// <summary>Bound from <c>AgentLedger:Database</c>.</summary>
public sealed class StorageOptions
{
    public string Provider { get; set; } = "sqlite";

    public string ConnectionString { get; set; } = "Data Source=data/agentledger.db";

    /// <summary>SQLite's synchronous level: FULL keeps every acknowledged commit through a power cut; NORMAL only through a process crash.</summary>
    public string Synchronous { get; set; } = "FULL";

    /// <summary>
    /// Apply pending migrations when a node starts. With false, migrations are a deploy step (the
    /// <c>migrate</c> verb) and a node whose schema is behind refuses to start.
    /// </summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>The most queued writes one transaction (one commit, one fsync) takes; the write pipeline's group size.</summary>
    public int WritesPerCommit { get; set; } = 64;

    /// <summary>Writes waiting for the writer beyond this are refused with 503 and Retry-After instead of queueing without bound.</summary>
    public int WriteQueueLimit { get; set; } = 10_000;
}
