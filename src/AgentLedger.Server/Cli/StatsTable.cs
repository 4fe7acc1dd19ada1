using System.Globalization;
using System.Text;
using AgentLedger.Core.Stats;

namespace AgentLedger.Server.Cli;

/// <summary>Stats as a fixed-width table for a terminal.</summary>
internal static class StatsTable
{
    private static readonly string[] Headers = ["agent", "enabled", "last run", "last status", "runs", "ok", "failed", "success", "p95 ms", "proposals", "approved"];

    public static string Render(IReadOnlyList<AgentStats> stats, string window)
    {
        var rows = stats.Select(s => new[]
        {
            s.AgentName,
            s.Enabled ? "yes" : "no",
            s.LastRun is { } last ? last.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "never",
            s.LastStatus ?? "-",
            Number(s.Window.Runs),
            Number(s.Window.SuccessCount),
            Number(s.Window.FailureCount),
            Percent(s.Window.SuccessRate),
            s.Window.DurationMs.P95 is { } p95 ? p95.ToString("0", CultureInfo.InvariantCulture) : "-",
            Number(s.Window.ProposalsCreated),
            Percent(s.Window.ApprovalRate),
        }).ToList();
        var widths = Headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"window {window}");
        Line(Headers);
        Line(widths.Select(w => new string('-', w)).ToArray());
        rows.ForEach(Line);
        return text.ToString();

        void Line(string[] cells) =>
            text.AppendLine(string.Join("  ", cells.Select((c, i) => i is 0 or 2 or 3 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-";
}
