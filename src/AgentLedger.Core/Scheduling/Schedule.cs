using AgentLedger.Core.Settings;

namespace AgentLedger.Core.Scheduling;

/// <summary>
/// When an agent is due. Slots are anchored on the last scheduled run (next = last + interval), so a
/// restart does not reset the clock; an agent that never ran (or was just switched back on, or given a
/// new interval) is first due one interval after that schedule began.
/// </summary>
public static class Schedule
{
    /// <summary>The next slot, or null when the agent is not scheduled (disabled, or no interval).</summary>
    public static DateTimeOffset? NextRun(AgentSettings settings, DateTimeOffset? lastScheduledFor, DateTimeOffset scheduledSince)
    {
        if (!settings.Enabled || settings.IntervalSeconds is not { } seconds)
        {
            return null;
        }
        var anchor = lastScheduledFor is { } last && last > scheduledSince ? last : scheduledSince;
        return anchor + TimeSpan.FromSeconds(seconds);
    }

    /// <summary>A short lag (a late tick, a slow run) is caught up slot by slot, so no slot is missed while a node is alive.</summary>
    public static readonly TimeSpan MinCatchUpWindow = TimeSpan.FromSeconds(30);

    /// <summary>How many intervals of lag are still caught up slot by slot.</summary>
    public const int CatchUpIntervals = 10;

    /// <summary>
    /// The slot to run now, given the first due slot <paramref name="next"/>: that slot itself when the
    /// scheduler is only a little late (a busy machine, a slow run); after real downtime (more than
    /// <see cref="CatchUpIntervals"/> intervals, and at least <see cref="MinCatchUpWindow"/>) the newest
    /// missed slot instead, so the agent runs once, not once per missed slot.
    /// </summary>
    public static DateTimeOffset DueSlot(DateTimeOffset next, int intervalSeconds, DateTimeOffset now)
    {
        var interval = TimeSpan.FromSeconds(intervalSeconds);
        var window = interval * CatchUpIntervals > MinCatchUpWindow ? interval * CatchUpIntervals : MinCatchUpWindow;
        if (now - next <= window)
        {
            return next;
        }
        var missed = (now - next).Ticks / interval.Ticks;
        return next + TimeSpan.FromTicks(missed * interval.Ticks);
    }
}
