using AgentLedger.Commons.Agents;
using AgentLedger.Commons.Model;
using static AgentLedger.Tests.Commons.Agents.Commons;

namespace AgentLedger.Tests.Commons.Agents;

[Trait("Database", "none")]   // no database: run once, not once per engine (scripts/test.sh)
public sealed class WorkPartySchedulerTests
{
    // Skills: Ana and Dee carpentry, Ben and Eli plumbing, Cy gardening, Fay welding.
    private static DateTimeOffset Tomorrow(int hour) => new(2026, 11, 28, hour, 0, 0, TimeSpan.Zero);

    private static WorkPlan Plan(string id, string title, int minPeople, double hours, DateTimeOffset from, DateTimeOffset until, params string[] skills) =>
        new(id, title, East2.Id, skills, minPeople, hours, from, until, NeedsWorkParty: true, PlanStatus.Open);

    private static Commitment Commit(string id, string planId, string memberId, DateTimeOffset from, DateTimeOffset until) => new(id, planId, memberId, from, until);

    private static readonly WorkPlan[] Plans =
    [
        Plan("p-garden", "Raised beds", 2, 3, Tomorrow(8), Tomorrow(18), "carpentry", "plumbing"),
        Plan("p-repair", "Bike repair", 2, 2, Tomorrow(9), Tomorrow(17), "welding"),
        Plan("p-paint", "Paint the shed", 2, 2, Tomorrow(9), Tomorrow(17)),
        Plan("p-small", "Roof fix", 3, 3, Tomorrow(9), Tomorrow(17)),
        Plan("p-past", "Harvest", 2, 2, Now.AddDays(-1), Now.AddDays(-1).AddHours(8)),
        Plan("p-scheduled", "Already set", 1, 1, Tomorrow(9), Tomorrow(17)) with { Status = PlanStatus.Scheduled },
        Plan("p-solo", "No party needed", 1, 1, Tomorrow(9), Tomorrow(17)) with { NeedsWorkParty = false },
    ];

    private static readonly Commitment[] Commitments =
    [
        // Starts 08, 10, 13: at 13-16 Ben, Dee and Eli are all free. Four more are free from 16, but 16 + 3 h overruns the window.
        Commit("c-g1", "p-garden", "m-ana", Tomorrow(8), Tomorrow(12)),
        Commit("c-g2", "p-garden", "m-ben", Tomorrow(10), Tomorrow(16)),
        Commit("c-g3", "p-garden", "m-cy", Tomorrow(10), Tomorrow(13)),
        Commit("c-g4", "p-garden", "m-dee", Tomorrow(13), Tomorrow(18)),
        Commit("c-g5", "p-garden", "m-eli", Tomorrow(13), Tomorrow(17)),
        Commit("c-g6", "p-garden", "m-fay", Tomorrow(16), Tomorrow(20)),
        Commit("c-g7", "p-garden", "m-gus", Tomorrow(16), Tomorrow(20)),
        Commit("c-g8", "p-garden", "m-hal", Tomorrow(16), Tomorrow(20)),
        Commit("c-g9", "p-garden", "m-ivy", Tomorrow(16), Tomorrow(20)),
        // Two people at 09 and at 14; only the later pair has the welder.
        Commit("c-r1", "p-repair", "m-ana", Tomorrow(9), Tomorrow(11)),
        Commit("c-r2", "p-repair", "m-ben", Tomorrow(9), Tomorrow(11)),
        Commit("c-r3", "p-repair", "m-cy", Tomorrow(14), Tomorrow(16)),
        Commit("c-r4", "p-repair", "m-fay", Tomorrow(14), Tomorrow(16)),
        // Two people at 09 and at 12, no skills needed: the earlier slot.
        Commit("c-p1", "p-paint", "m-ana", Tomorrow(9), Tomorrow(11)),
        Commit("c-p2", "p-paint", "m-ben", Tomorrow(9), Tomorrow(11)),
        Commit("c-p3", "p-paint", "m-cy", Tomorrow(12), Tomorrow(14)),
        Commit("c-p4", "p-paint", "m-dee", Tomorrow(12), Tomorrow(14)),
        // Ana committed twice: still two people, one short.
        Commit("c-s1", "p-small", "m-ana", Tomorrow(9), Tomorrow(12)),
        Commit("c-s2", "p-small", "m-ana", Tomorrow(9), Tomorrow(12)),
        Commit("c-s3", "p-small", "m-ben", Tomorrow(9), Tomorrow(12)),
        // Enough people, but the window has passed.
        Commit("c-x1", "p-past", "m-ana", Now.AddDays(-1), Now.AddDays(-1).AddHours(8)),
        Commit("c-x2", "p-past", "m-ben", Now.AddDays(-1), Now.AddDays(-1).AddHours(8)),
        // Plans that are not checked at all.
        Commit("c-z1", "p-scheduled", "m-ana", Tomorrow(9), Tomorrow(17)),
        Commit("c-z2", "p-solo", "m-ana", Tomorrow(9), Tomorrow(17)),
    ];

    private static WorkPartySchedulerAgent Agent(IEnumerable<WorkPlan>? plans = null, IEnumerable<Commitment>? commitments = null) =>
        new(new InMemoryCommonsReader(Snapshot(plans: plans ?? Plans, commitments: commitments ?? Commitments)));

    [Fact]
    public async Task Picks_the_slot_with_most_people_then_most_skills_then_earliest()
    {
        var result = await RunAsync(Agent());

        Assert.Equal(
            [
                ("p-garden", "2026-11-28T13:00:00Z", "2026-11-28T16:00:00Z"),
                ("p-paint", "2026-11-28T09:00:00Z", "2026-11-28T11:00:00Z"),
                ("p-repair", "2026-11-28T14:00:00Z", "2026-11-28T16:00:00Z"),
            ],
            result.Proposals.Select(p => (p.String("plan_id"), p.String("slot_start"), p.String("slot_end"))));
        Assert.All(result.Proposals, p => Assert.Equal("work_party", p.Type));
        Assert.Equal(["m-ben", "m-dee", "m-eli"], result.Proposals[0].Strings("member_ids"));
        Assert.Equal(["m-ana", "m-ben"], result.Proposals[1].Strings("member_ids"));
        Assert.Equal(["m-cy", "m-fay"], result.Proposals[2].Strings("member_ids"));
        Assert.Equal(["welding"], result.Proposals[2].Strings("skills_covered"));
    }

    [Fact]
    public async Task Metrics_count_open_plans_needing_a_party_and_the_parties_proposed()
    {
        var result = await RunAsync(Agent());

        Assert.Equal(5, result.Metrics!["plans_checked"]);
        Assert.Equal(3, result.Metrics["parties_proposed"]);
        Assert.Equal(5 + 22, result.ResourcesProcessed);
    }

    [Fact]
    public async Task A_proposal_cites_the_plan_and_the_commitments_of_the_party()
    {
        var garden = (await RunAsync(Agent())).Proposals[0];

        Assert.Equal(["p-garden", "c-g2", "c-g4", "c-g5"], garden.InputsUsed!);
        Assert.Equal(["carpentry", "plumbing"], garden.Strings("skills_covered"));
        Assert.Empty(garden.Strings("skills_missing"));
        Assert.Equal(
            "Ben, Dee and Eli can all work on \"Raised beds\" at Eastside Garden from 2026-11-28 13:00 UTC to 2026-11-28 16:00 UTC "
            + "(3 people, 2 needed). Between them they cover every required skill: carpentry, plumbing.",
            garden.Explanation);
    }

    [Fact]
    public async Task Missing_skills_are_named()
    {
        var plan = Plan("p-fence", "Fence", 2, 2, Tomorrow(9), Tomorrow(17), "Welding", "carpentry");
        var result = await RunAsync(Agent(
            [plan],
            [Commit("c-1", "p-fence", "m-ana", Tomorrow(9), Tomorrow(12)), Commit("c-2", "p-fence", "m-ben", Tomorrow(10), Tomorrow(12))]));

        var proposal = Assert.Single(result.Proposals);
        Assert.Equal("2026-11-28T10:00:00Z", proposal.String("slot_start"));
        Assert.Equal(["carpentry"], proposal.Strings("skills_covered"));
        Assert.Equal(["Welding"], proposal.Strings("skills_missing"));
        Assert.EndsWith("They cover carpentry; still missing: Welding.", proposal.Explanation);
    }

    [Fact]
    public async Task Without_commitments_there_is_no_party()
    {
        var result = await RunAsync(Agent(commitments: []));

        Assert.Empty(result.Proposals);
        Assert.Equal(5, result.Metrics!["plans_checked"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(8.5)]
    [InlineData(1e300)]
    [InlineData(double.NaN)]
    public async Task A_duration_that_cannot_fit_the_window_gets_no_party(double hours)
    {
        var plan = Plan("p-odd", "Odd", 1, hours, Tomorrow(9), Tomorrow(17));
        var result = await RunAsync(Agent([plan], [Commit("c-1", "p-odd", "m-ana", Tomorrow(9), Tomorrow(17))]));

        Assert.Empty(result.Proposals);
        Assert.Equal(1, result.Metrics!["plans_checked"]);
    }

    [Fact]
    public void Default_settings_and_config()
    {
        var agent = Agent();

        Assert.True(agent.DefaultSettings.Enabled);
        Assert.Equal(3600, agent.DefaultSettings.IntervalSeconds);
        Assert.Equal(120, agent.DefaultSettings.TimeoutSeconds);
        Assert.Equal("{}", agent.DefaultSettings.Config.GetRawText());
        Assert.Empty(agent.ValidateConfig(Json("""{"proposal_ttl_hours": 24}""")));
        Assert.Equal(["config"], agent.ValidateConfig(Json("[]")).Keys);
    }
}
