using System.Text.Json;
using AgentLedger.Commons.Model;
using AgentLedger.Core.Proposals;

namespace AgentLedger.Commons.Agents;

/// <summary>Finds, for each plan that needs a work party, the slot when most of the people who committed can come.</summary>
public sealed class WorkPartySchedulerAgent(ICommonsReader reader) : CommonsAgent<WorkPartyConfig>(reader)
{
    public override string Name => "work-party-scheduler";

    public override string DisplayName => "Work party scheduler";

    public override string Description => "Proposes a work party slot for open plans, when enough of the committed members are free together.";

    protected override int IntervalSeconds => 3600;

    protected override WorkPartyConfig DefaultConfig => WorkPartyConfig.Default;

    // No keys of its own: the reader has already refused a config that is not an object.
    protected override WorkPartyConfig ReadConfig(ConfigReader config) => WorkPartyConfig.Default;

    protected override CommonsFindings Evaluate(CommonsSnapshot snapshot, DateTimeOffset now, WorkPartyConfig config) =>
        WorkPartyPlanning.Evaluate(snapshot, now);
}

/// <summary>No keys yet: what a slot needs (people, skills, duration, window) comes from each plan.</summary>
public sealed record WorkPartyConfig
{
    public static WorkPartyConfig Default { get; } = new();
}

/// <summary>A candidate slot and who can come for all of it.</summary>
public sealed record WorkPartySlot(
    DateTimeOffset Start,
    DateTimeOffset End,
    IReadOnlyList<string> MemberIds,
    IReadOnlyList<Commitment> Commitments,
    IReadOnlyList<string> SkillsCovered,
    IReadOnlyList<string> SkillsMissing);

public static class WorkPartyPlanning
{
    public static CommonsFindings Evaluate(CommonsSnapshot snapshot, DateTimeOffset now)
    {
        var lookup = new CommonsLookup(snapshot);
        var plans = snapshot.Plans
            .Where(p => p is { Status: PlanStatus.Open, NeedsWorkParty: true })
            .OrderBy(p => p.WindowStart)
            .ThenBy(p => p.Id, StringComparer.Ordinal)
            .ToList();
        var commitments = snapshot.Commitments.ToLookup(c => c.PlanId, StringComparer.Ordinal);

        var proposals = new List<ProposalDraft>();
        foreach (var plan in plans)
        {
            var slot = BestSlot(plan, [.. commitments[plan.Id]], now, lookup);
            // A party of nobody is not a party, whatever MinPeople says.
            if (slot is not null && slot.MemberIds.Count >= Math.Max(1, plan.MinPeople))
            {
                proposals.Add(Propose(plan, slot, lookup));
            }
        }

        var commitmentsRead = plans.Sum(p => commitments[p.Id].Count());
        return new CommonsFindings(proposals, plans.Count + commitmentsRead, new Dictionary<string, double>
        {
            ["plans_checked"] = plans.Count,
            ["parties_proposed"] = proposals.Count,
        });
    }

    /// <summary>
    /// Candidate starts are the window start and each commitment's start (the moments when who is
    /// available changes). The best slot has the most people, then the most required skills, then
    /// starts earliest. Slots that start before <paramref name="now"/> are past and not offered.
    /// </summary>
    internal static WorkPartySlot? BestSlot(WorkPlan plan, IReadOnlyList<Commitment> commitments, DateTimeOffset now, CommonsLookup lookup)
    {
        // Checked in hours first: a duration longer than the window cannot fit, and converting an absurd one would overflow.
        if (!double.IsFinite(plan.DurationHours) || plan.DurationHours <= 0 || plan.DurationHours > (plan.WindowEnd - plan.WindowStart).TotalHours)
        {
            return null;
        }
        var duration = TimeSpan.FromHours(plan.DurationHours);
        var required = plan.RequiredSkills.Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        return commitments
            .Select(c => c.AvailableFrom)
            .Prepend(plan.WindowStart)
            .Distinct()
            .Where(start => start >= plan.WindowStart && start + duration <= plan.WindowEnd && start >= now)
            .Select(start => Slot(start, start + duration, commitments, required, lookup))
            .OrderByDescending(s => s.MemberIds.Count)
            .ThenByDescending(s => s.SkillsCovered.Count)
            .ThenBy(s => s.Start)
            .FirstOrDefault();
    }

    private static WorkPartySlot Slot(DateTimeOffset start, DateTimeOffset end, IReadOnlyList<Commitment> commitments, List<string> required, CommonsLookup lookup)
    {
        var present = commitments.Where(c => c.AvailableFrom <= start && c.AvailableUntil >= end).ToList();
        var memberIds = present.Select(c => c.MemberId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var skills = memberIds
            .SelectMany(id => lookup.Member(id)?.Skills ?? [])
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var covered = required.Where(skills.Contains).ToList();
        var missing = required.Where(s => !skills.Contains(s)).ToList();
        return new WorkPartySlot(start, end, memberIds, present, covered, missing);
    }

    private static ProposalDraft Propose(WorkPlan plan, WorkPartySlot slot, CommonsLookup lookup)
    {
        var names = slot.MemberIds.Select(lookup.MemberName).ToList();
        var skills = (slot.SkillsCovered.Count, slot.SkillsMissing.Count) switch
        {
            (0, 0) => "No particular skills are required.",
            (_, 0) => $"Between them they cover every required skill: {string.Join(", ", slot.SkillsCovered)}.",
            (0, _) => $"None of the required skills is covered yet: {string.Join(", ", slot.SkillsMissing)}.",
            _ => $"They cover {string.Join(", ", slot.SkillsCovered)}; still missing: {string.Join(", ", slot.SkillsMissing)}.",
        };
        return new ProposalDraft(
            Type: "work_party",
            Title: $"Work party: {plan.Title}, {CommonsText.Time(slot.Start)}",
            Explanation: $"{CommonsText.List(names)} can all work on \"{plan.Title}\" at {lookup.LocationName(plan.LocationId)} "
                + $"from {CommonsText.Time(slot.Start)} to {CommonsText.Time(slot.End)} ({slot.MemberIds.Count} people, {plan.MinPeople} needed). {skills}",
            InputsUsed: [plan.Id, .. slot.Commitments.Select(c => c.Id)],
            Data: CommonsText.Data(new
            {
                plan_id = plan.Id,
                location_id = plan.LocationId,
                slot_start = CommonsText.Iso(slot.Start),
                slot_end = CommonsText.Iso(slot.End),
                member_ids = slot.MemberIds,
                min_people = plan.MinPeople,
                skills_covered = slot.SkillsCovered,
                skills_missing = slot.SkillsMissing,
            }));
    }
}
