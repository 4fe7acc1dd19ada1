using AgentLedger.Core.Settings;

namespace AgentLedger.Core.Scheduling;

/// <summary>
/// When an agent is due. Slots are anchored on the last scheduled run (next = last + interval), so a
/// restart does not reset the clock; an agent that never ran (or was just switched back on) is first
/// due one interval after it was first seen enabled.
/// </summary>
public static class Schedule
{
    /// <summary>The next slot, or null when the agent is not scheduled (disabled, or no interval).</summary>
    public static DateTimeOffset? NextRun(AgentSettings settings, DateTimeOffset? lastScheduledFor, DateTimeOffset enabledSince)
    {
        if (!settings.Enabled || settings.IntervalSeconds is not { } seconds)
        {
            return null;
        }
        var anchor = lastScheduledFor is { } last && last > enabledSince ? last : enabledSince;
        return anchor + TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// The latest slot at or before <paramref name="now"/> on the grid that starts at <paramref name="next"/>:
    /// after downtime an agent runs once for the newest missed slot, not once per missed slot.
    /// </summary>
    public static DateTimeOffset DueSlot(DateTimeOffset next, int intervalSeconds, DateTimeOffset now)
    {
        if (now <= next)
        {
            return next;
        }
        var interval = TimeSpan.FromSeconds(intervalSeconds);
        var missed = (now - next).Ticks / interval.Ticks;
        return next + TimeSpan.FromTicks(missed * interval.Ticks);
    }
}
