using System.Net;
using static AgentLedger.Tests.Otlp.OtlpJson;

namespace AgentLedger.Tests.Otlp;

/// <summary>An exporter over its budget is told to come back later (429 + Retry-After), and nothing of that batch is written.</summary>
public sealed class OtlpRateLimitTests : IDisposable
{
    private readonly OtlpHost _host = new(settings: new Dictionary<string, string?>
    {
        ["AgentLedger:RateLimit:ReportsPerSecond"] = "1",
        ["AgentLedger:RateLimit:Burst"] = "1",
    });

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_batch_over_the_clients_rate_limit_is_answered_429_with_retry_after_and_not_recorded()
    {
        byte[] Batch() => Request("svc", Agent(NewTraceId(), NewSpanId(), null, "eager", DateTimeOffset.UtcNow.AddSeconds(-5), TimeSpan.FromSeconds(1)));

        // Three batches in a few milliseconds against one token a second: the bucket refills at most once meanwhile.
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await _host.PostTracesAsync(Batch(), "application/json"));
        }

        Assert.Equal(HttpStatusCode.OK, answers[0].StatusCode);
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {r.Headers.RetryAfter}"));
        Assert.Equal(answers.Count(a => a.StatusCode == HttpStatusCode.OK), _host.Database.Scalar("SELECT COUNT(*) FROM agent_executions"));
        answers.ForEach(a => a.Dispose());
    }
}
