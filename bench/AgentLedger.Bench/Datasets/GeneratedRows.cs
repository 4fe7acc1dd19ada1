namespace AgentLedger.Bench.Datasets;

/// <summary>One execution as the bulk writers insert it (the columns of <c>agent_executions</c>).</summary>
public sealed class ExecutionRowData
{
    public Guid Id;
    public string AgentName = "";
    public string Trigger = "external";
    public DateTimeOffset StartedAt;
    public DateTimeOffset? CompletedAt;
    public long? DurationMs;
    public string Status = "";
    public string? ErrorType;
    public string? ErrorMessage;
    public int ProposalsCreated;
    public long ResourcesProcessed;
    public string? Metrics;
    public Dictionary<string, double>? MetricValues;
    public string? Metadata;
}

/// <summary>One proposal row.</summary>
public sealed class ProposalRowData
{
    public Guid Id;
    public Guid ExecutionId;
    public string AgentName = "";
    public string Type = "";
    public string Title = "";
    public string? Explanation;
    public string InputsUsed = "[]";
    public string? Data;
    public string Status = "";
    public DateTimeOffset CreatedAt;
    public DateTimeOffset? ExpiresAt;
    public DateTimeOffset? DecidedAt;
    public string? DecidedBy;
}

/// <summary>What a bulk path needs from an engine: raw rows fast, the rest through the ledger's own EF model.</summary>
public interface IBulkWriter : IAsyncDisposable
{
    Task BeginAsync(CancellationToken cancellationToken);

    void Add(ExecutionRowData row);

    void Add(ProposalRowData row);

    /// <summary>Flushes, rebuilds the indexes dropped for the load, and makes the data durable.</summary>
    Task FinishAsync(CancellationToken cancellationToken);
}
