using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static AgentLedger.Tests.Infrastructure.Api;

namespace AgentLedger.Tests.Http;

/// <summary>
/// The merged histograms and metric sums of a window's whole days and hours are kept between
/// requests; a run back-filled into any of those buckets must still move the next stats.
/// </summary>
public sealed class WholeBucketTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 20, 0, TimeSpan.Zero);
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(Now);
    private readonly LedgerFactory _host;
    private readonly HttpClient _client;

    public WholeBucketTests()
    {
        _host = new LedgerFactory(_db, _time);
        _client = _host.CreateAuthorizedClient();
    }

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task Runs_back_filled_into_whole_days_and_hours_show_in_the_next_stats()
    {
        var day = Now.AddDays(-10);     // a whole day of the 30-day window
        var hour = Now.AddHours(-5);    // a whole hour of today
        await Finished(day, 100, cost: 1);
        await Finished(hour, 200, cost: 2);
        await Expect(runs: 2, p95: 200, cost: 3);
        await Expect(runs: 2, p95: 200, cost: 3); // the merge kept from the request before

        await Finished(day.AddMinutes(7), 900, cost: 4);
        await Expect(runs: 3, p95: 900, cost: 7);

        await Finished(hour.AddMinutes(3), 5000, cost: 8);
        await Expect(runs: 4, p95: 5000, cost: 15);

        // An hour later the window's hours are other buckets: merged afresh, the same numbers.
        _time.Advance(TimeSpan.FromHours(1));
        await Expect(runs: 4, p95: 5000, cost: 15);
        await Finished(day.AddMinutes(9), 20000, cost: 16);
        await Expect(runs: 5, p95: 20000, cost: 31);
    }

    private async Task Finished(DateTimeOffset startedAt, long durationMs, double cost) =>
        await _client.ReportAsync(new
        {
            agent_name = "whole",
            status = "success",
            started_at = Iso(startedAt),
            completed_at = Iso(startedAt.AddMilliseconds(durationMs)),
            metrics = new { cost },
        });

    private async Task Expect(long runs, double p95, double cost)
    {
        var window = (await _client.GetNodeAsync("/api/agents/whole/stats?window=30d"))["stats"]!["window"]!;
        Assert.Equal((runs, cost), ((long)window["runs"]!, (double)window["metrics"]!["cost"]!));
        // The histogram's estimates are within 1 % of the true value.
        Assert.InRange((double)window["duration_ms"]!["p95"]!, p95 * 0.99, p95 * 1.01);
    }
}
