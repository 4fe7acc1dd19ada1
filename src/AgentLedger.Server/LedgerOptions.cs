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

    /// <summary>Health-change alerts: <c>AgentLedger:Alerts:…</c>.</summary>
    public AlertOptions Alerts { get; set; } = new();
}

public sealed class AlertOptions
{
    /// <summary>Webhook for every agent whose settings config has no <c>alert_webhook_url</c> of its own.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>When set, each webhook carries <c>X-AgentLedger-Signature: sha256=…</c>, an HMAC of the body with this secret.</summary>
    public string? Secret { get; set; }

    /// <summary>How often agents' health is judged (and due webhooks are sent).</summary>
    public double CheckSeconds { get; set; } = 5;

    /// <summary>Attempts per webhook before its delivery is recorded as failed.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The first retry waits this long; each next one twice as long, up to <see cref="MaxRetrySeconds"/>.</summary>
    public double FirstRetrySeconds { get; set; } = 5;

    public double MaxRetrySeconds { get; set; } = 600;

    /// <summary>Allow webhooks to loopback, private and link-local addresses (refused by default).</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>A receiver slower than this counts as a failed attempt.</summary>
    public double TimeoutSeconds { get; set; } = 10;
}
