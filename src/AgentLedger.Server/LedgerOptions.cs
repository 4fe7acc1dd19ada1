namespace AgentLedger.Server;

/// <summary>Bound from the <c>AgentLedger</c> configuration section (appsettings, <c>AgentLedger__…</c> env, args).</summary>
public sealed class LedgerOptions
{
    public const string Section = "AgentLedger";

    /// <summary>Key for mutating calls; when empty one is generated on first start and saved under the data folder.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Seed demo commons data into an empty database and use short demo intervals.</summary>
    public bool Demo { get; set; }

    /// <summary>Raw executions older than this move to the archive; rollups keep their history.</summary>
    public int RawRetentionDays { get; set; } = 90;

    public TimeSpan RawRetention => TimeSpan.FromDays(Math.Max(1, RawRetentionDays));

    /// <summary>Where generated keys and archives live; defaults to the SQLite file's folder, else ./data.</summary>
    public string? DataFolder { get; set; }

    /// <summary>This node's name in the ledger; defaults to the machine name.</summary>
    public string? Node { get; set; }

    /// <summary>How often a node renews the heartbeat of its runs; a run three beats silent is abandoned.</summary>
    public int HeartbeatSeconds { get; set; } = 10;

    /// <summary>Require the API key for <c>GET /metrics</c>.</summary>
    public bool ProtectMetrics { get; set; }

    /// <summary><c>json</c> for one JSON object per log line (with scopes: execution_id, agent); else plain text.</summary>
    public string LogFormat { get; set; } = "text";

    /// <summary>How often pending proposals are checked for expiry.</summary>
    public TimeSpan ProposalExpirySweep { get; set; } = TimeSpan.FromMinutes(1);
}
