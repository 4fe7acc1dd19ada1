using AgentLedger.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage;

/// <summary>
/// The one model of the ledger. Each database engine derives its own context so it can keep its
/// own migrations and type mappings (see <see cref="Sqlite.SqliteLedgerDbContext"/>).
/// </summary>
public abstract class LedgerDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<ExecutionEntity> Executions => Set<ExecutionEntity>();
    public DbSet<ProposalEntity> Proposals => Set<ProposalEntity>();
    public DbSet<AgentEntity> Agents => Set<AgentEntity>();
    public DbSet<SettingsEntity> Settings => Set<SettingsEntity>();
    public DbSet<SettingsHistoryEntity> SettingsHistory => Set<SettingsHistoryEntity>();
    public DbSet<RollupEntity> Rollups => Set<RollupEntity>();
    public DbSet<ArchivedExecutionEntity> ArchivedExecutions => Set<ArchivedExecutionEntity>();
    public DbSet<LedgerMetaEntity> Meta => Set<LedgerMetaEntity>();
    public DbSet<AgentHealthEntity> HealthStates => Set<AgentHealthEntity>();
    public DbSet<AlertEntity> Alerts => Set<AlertEntity>();
    public DbSet<LeaseEntity> Leases => Set<LeaseEntity>();
    public DbSet<ApiKeyEntity> ApiKeys => Set<ApiKeyEntity>();
    public DbSet<AuditEntity> Audit => Set<AuditEntity>();
    public DbSet<HeldSpanEntity> HeldSpans => Set<HeldSpanEntity>();

    /// <summary>
    /// Called in a write transaction before an agent's rollups are changed. One SQLite file has one
    /// writer at a time already; engines with concurrent writers override it with a lock.
    /// </summary>
    public virtual Task LockAgentAsync(string agentName, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Called in a write transaction before a trace's held spans are read, so that two writers of one trace
    /// (a child and its agent span in two batches) resolve it one after the other. One SQLite file has one writer.
    /// </summary>
    public virtual Task LockTraceAsync(string traceId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Registers an agent unless it exists, as part of the caller's unit of work. A single SQLite
    /// writer makes check-then-insert safe; engines with concurrent writers override it.
    /// </summary>
    public virtual async Task EnsureAgentAsync(AgentEntity agent, CancellationToken cancellationToken)
    {
        if (Agents.Local.All(a => a.Name != agent.Name) && !await Agents.AnyAsync(a => a.Name == agent.Name, cancellationToken))
        {
            Agents.Add(agent);
        }
    }

    /// <summary>
    /// The executions of one trace: a seek on the id index over the trace's range of ids (<see cref="Core.Traces.SpanIds.TraceRange"/>),
    /// then its exact trace id. There is no trace index to choose instead; SQLite, without statistics, would otherwise
    /// walk the agent's whole history by start time, so its context names the index.
    /// </summary>
    public IQueryable<ExecutionEntity> ExecutionsOfTrace(string traceId)
    {
        var (lowest, highest) = Core.Traces.SpanIds.TraceRange(traceId);
        return Executions.FromSqlRaw(IdRangeSql, DbId(lowest), DbId(highest))
            .Where(e => e.TraceId == traceId);
    }

    /// <summary>The executions with ids in a range, read by the id index (SQLite names it; PostgreSQL plans from statistics).</summary>
    protected virtual string IdRangeSql => "SELECT * FROM agent_executions WHERE id BETWEEN {0} AND {1}";

    /// <summary>A time as this engine's column holds it, for hand-written statements (PostgreSQL: timestamptz).</summary>
    public virtual object? DbTime(DateTimeOffset? value) => value;

    /// <summary>A uuid as this engine's column holds it (PostgreSQL: uuid).</summary>
    public virtual object DbId(Guid value) => value;

    /// <summary>Makes room in the archive for rows that started at these times (PostgreSQL: monthly partitions).</summary>
    public virtual Task PrepareArchiveAsync(IEnumerable<DateTimeOffset> startedAt, CancellationToken cancellationToken) => Task.CompletedTask;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ExecutionEntity>(e =>
        {
            e.ToTable("agent_executions");
            e.HasKey(x => x.Seq);
            e.HasIndex(x => x.Id).IsUnique();
            e.HasIndex(x => new { x.AgentName, x.StartedAt }).IsDescending(false, true);
            // Seeks for "newest success", "newest failure", "running now" without scanning history.
            e.HasIndex(x => new { x.AgentName, x.Status, x.StartedAt });
            // A scheduled slot runs once: the second claim of (agent, slot) fails. Only scheduled runs are in it: reported
            // and OTLP runs have no slot, and an index entry each (of NULL) was a sixth of an OTLP batch's insert work.
            e.HasIndex(x => new { x.AgentName, x.ScheduledFor }).IsUnique().HasFilter("scheduled_for IS NOT NULL");
            e.Property(x => x.AgentName).HasMaxLength(128);
            e.Property(x => x.Trigger).HasMaxLength(16);
            // Finalising checks the row is still running in the UPDATE itself, so two concurrent
            // completions (two nodes, a replayed request) cannot both count.
            e.Property(x => x.Status).HasMaxLength(16).IsConcurrencyToken();
            e.Property(x => x.Node).HasMaxLength(256);
            e.Property(x => x.ErrorType).HasMaxLength(512);
            e.Property(x => x.OverTimeout).HasDefaultValue(false);
            e.Property(x => x.ReportHash).HasMaxLength(64);
            e.Property(x => x.CompletionHash).HasMaxLength(64);
            e.Property(x => x.RequestedByKey).HasMaxLength(64);
            e.Property(x => x.TraceId).HasMaxLength(32);
            e.Property(x => x.SpanId).HasMaxLength(16);
            // No trace index: the id index serves GET …/executions?trace_id= (see ExecutionsOfTrace).
        });

        modelBuilder.Entity<ProposalEntity>(e =>
        {
            e.ToTable("proposals");
            e.HasKey(x => x.Seq);
            e.HasIndex(x => x.Id).IsUnique();
            e.HasIndex(x => new { x.AgentName, x.CreatedAt });
            e.HasIndex(x => new { x.Status, x.CreatedAt });
            e.HasIndex(x => new { x.AgentName, x.Status });
            e.HasIndex(x => x.ExecutionId);
            // No foreign key: retention moves old executions to the archive, and their proposals keep the link.
            e.Property(x => x.AgentName).HasMaxLength(128);
            e.Property(x => x.Status).HasMaxLength(16).IsConcurrencyToken();
            e.Property(x => x.DecidedByKey).HasMaxLength(64);
        });

        modelBuilder.Entity<AgentEntity>(e =>
        {
            e.ToTable("agents");
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasMaxLength(128);
            e.Property(x => x.Kind).HasMaxLength(16);
        });

        modelBuilder.Entity<SettingsEntity>(e =>
        {
            e.ToTable("agent_settings");
            e.HasKey(x => x.AgentName);
            e.Property(x => x.AgentName).HasMaxLength(128);
            e.Property(x => x.UpdatedByKey).HasMaxLength(64);
        });

        modelBuilder.Entity<SettingsHistoryEntity>(e =>
        {
            e.ToTable("agent_settings_history");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.AgentName, x.Version });
            e.Property(x => x.AgentName).HasMaxLength(128);
            e.Property(x => x.UpdatedByKey).HasMaxLength(64);
        });

        modelBuilder.Entity<ArchivedExecutionEntity>(e =>
        {
            e.ToTable("agent_executions_archive");
            // started_at is part of the key so PostgreSQL can partition the archive by month.
            e.HasKey(x => new { x.StartedAt, x.Seq });
            e.HasIndex(x => x.Id);
            e.HasIndex(x => new { x.AgentName, x.StartedAt });
            e.HasIndex(x => new { x.AgentName, x.Status, x.StartedAt });
            e.Property(x => x.Seq).ValueGeneratedNever();
            e.Property(x => x.AgentName).HasMaxLength(128);
            e.Property(x => x.Trigger).HasMaxLength(16);
            e.Property(x => x.Status).HasMaxLength(16);
            e.Property(x => x.Node).HasMaxLength(256);
            e.Property(x => x.ErrorType).HasMaxLength(512);
            e.Property(x => x.OverTimeout).HasDefaultValue(false);
            e.Property(x => x.ReportHash).HasMaxLength(64);
            e.Property(x => x.CompletionHash).HasMaxLength(64);
            e.Property(x => x.RequestedByKey).HasMaxLength(64);
            e.Property(x => x.TraceId).HasMaxLength(32);
            e.Property(x => x.SpanId).HasMaxLength(16);
        });

        modelBuilder.Entity<HeldSpanEntity>(e =>
        {
            e.ToTable("otlp_held_spans");
            e.HasKey(x => new { x.TraceId, x.SpanId });
            // The orphan sweep: the oldest held spans first.
            e.HasIndex(x => x.ReceivedAt);
            e.Property(x => x.TraceId).HasMaxLength(32);
            e.Property(x => x.SpanId).HasMaxLength(16);
            e.Property(x => x.ParentSpanId).HasMaxLength(16);
            e.Property(x => x.Role).HasMaxLength(16);
            e.Property(x => x.Model).HasMaxLength(256);
            e.Property(x => x.Provider).HasMaxLength(128);
        });

        modelBuilder.Entity<LedgerMetaEntity>(e =>
        {
            e.ToTable("ledger_meta");
            e.HasKey(x => x.Key);
            e.Property(x => x.Key).HasMaxLength(64);
        });

        modelBuilder.Entity<AgentHealthEntity>(e =>
        {
            e.ToTable("agent_health");
            e.HasKey(x => x.AgentName);
            e.Property(x => x.AgentName).HasMaxLength(128);
            e.Property(x => x.Health).HasMaxLength(16).IsConcurrencyToken();
        });

        modelBuilder.Entity<AlertEntity>(e =>
        {
            e.ToTable("alerts");
            e.HasKey(x => x.Seq);
            e.HasIndex(x => x.Id).IsUnique();
            e.HasIndex(x => new { x.RaisedAt, x.Seq });
            e.HasIndex(x => new { x.AgentName, x.RaisedAt, x.Seq });
            // The dispatcher's one query: pending deliveries that are due.
            e.HasIndex(x => new { x.DeliveryStatus, x.NextAttemptAt });
            e.Property(x => x.AgentName).HasMaxLength(128);
            e.Property(x => x.PreviousHealth).HasMaxLength(16);
            e.Property(x => x.Health).HasMaxLength(16);
            e.Property(x => x.Node).HasMaxLength(256);
            e.Property(x => x.DeliveryStatus).HasMaxLength(16);
            e.Property(x => x.WebhookUrl).HasMaxLength(2048);
        });

        modelBuilder.Entity<LeaseEntity>(e =>
        {
            e.ToTable("ledger_leases");
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasMaxLength(64);
            e.Property(x => x.Holder).HasMaxLength(256);
            e.Property(x => x.ExpiresAt).IsConcurrencyToken();
        });

        modelBuilder.Entity<ApiKeyEntity>(e =>
        {
            e.ToTable("api_keys");
            e.HasKey(x => x.Seq);
            e.HasIndex(x => x.Id).IsUnique();
            e.HasIndex(x => x.Name).IsUnique();
            e.Property(x => x.Id).HasMaxLength(32);
            e.Property(x => x.Name).HasMaxLength(64);
            e.Property(x => x.Role).HasMaxLength(16);
            e.Property(x => x.SecretHash).HasMaxLength(64);
            e.Property(x => x.PreviousSecretHash).HasMaxLength(64);
        });

        modelBuilder.Entity<AuditEntity>(e =>
        {
            e.ToTable("audit_log");
            e.HasKey(x => x.Seq);
            e.HasIndex(x => new { x.At, x.Seq });
            e.HasIndex(x => new { x.Action, x.At });
            e.Property(x => x.KeyId).HasMaxLength(32);
            e.Property(x => x.KeyName).HasMaxLength(64);
            e.Property(x => x.Role).HasMaxLength(16);
            e.Property(x => x.Action).HasMaxLength(32);
            e.Property(x => x.ResourceType).HasMaxLength(32);
            e.Property(x => x.ResourceId).HasMaxLength(256);
            e.Property(x => x.RemoteAddress).HasMaxLength(64);
        });

        modelBuilder.Entity<RollupEntity>(e =>
        {
            e.ToTable("agent_rollups");
            e.HasKey(x => new { x.Period, x.BucketStart, x.AgentName });
            e.HasIndex(x => new { x.AgentName, x.Period, x.BucketStart });
            e.Property(x => x.AgentName).HasMaxLength(128);
            e.Property(x => x.Period).HasMaxLength(8);
        });
    }
}
