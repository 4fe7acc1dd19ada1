namespace AgentLedger.Server.Otlp;

/// <summary>Bound from <c>AgentLedger:Otlp</c>.</summary>
public sealed class OtlpOptions
{
    public const string Section = "AgentLedger:Otlp";

    /// <summary>Keep prompt and completion content attributes of agent spans in the run's metadata (off: they are dropped).</summary>
    public bool KeepContent { get; set; }

    /// <summary>How long a child span waits for its agent span before it is dropped and counted (<c>otlp_orphan_spans_total</c>).</summary>
    public double OrphanHours { get; set; } = 12;

    public TimeSpan OrphanLimit => TimeSpan.FromHours(Math.Max(0.01, OrphanHours));
}
