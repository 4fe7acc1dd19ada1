using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static AgentLedger.Tests.Infrastructure.Api;

namespace AgentLedger.Tests.Http;

/// <summary>Health changes become alerts (one per change) and webhooks to a real HTTP listener, retried with back-off.</summary>
public sealed class AlertTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Check = TimeSpan.FromSeconds(5);
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<LedgerFactory> _hosts = [];
    private HttpClient? _client;

    /// <summary>The first node, started on first use (a test may start its own instead).</summary>
    private HttpClient Client => _client ??= Host("node-a").CreateAuthorizedClient();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            host.Dispose();
        }
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Three_failures_in_a_row_fire_one_webhook_and_the_recovery_one_more()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_time);
        await Client.ReportAsync(new { agent_name = "ext", status = "success", started_at = Iso(_time.GetUtcNow()) });
        (await Client.SetConfigAsync("ext", new { config = new { alert_webhook_url = receiver.Url } })).EnsureSuccessStatusCode();
        await TickUntilAsync(() => _db.Scalar("SELECT COUNT(*) FROM agent_health WHERE agent_name = 'ext'") == 1);

        for (var i = 0; i < 4; i++)
        {
            await Client.ReportAsync(new { agent_name = "ext", status = "failed", error_type = "HttpRequestException", error_message = $"offer {1000 + i} returned 502", started_at = Iso(_time.GetUtcNow()) });
            if (i == 2)
            {
                await TickUntilAsync(() => !receiver.Requests.IsEmpty);
            }
        }
        await TicksAsync(4);
        var failing = Assert.Single(receiver.Requests).Body;
        Assert.Equal("ext", (string?)failing["agent_name"]);
        Assert.Equal("failing", (string?)failing["health"]);
        Assert.Equal("ok", (string?)failing["previous_health"]);
        Assert.Contains("The last 3 runs failed", (string?)failing["health_reason"]);
        Assert.Contains("agent 'ext' is failing (was ok)", (string?)failing["text"]);

        await Client.ReportAsync(new { agent_name = "ext", status = "success", started_at = Iso(_time.GetUtcNow()) });
        await TickUntilAsync(() => receiver.Requests.Count == 2);
        await TicksAsync(4);
        Assert.Equal(2, receiver.Requests.Count);
        var recovered = receiver.Requests.Last().Body;
        Assert.Equal(("ok", "failing"), ((string?)recovered["health"], (string?)recovered["previous_health"]));

        var alerts = (await Client.GetNodeAsync("/api/alerts?agent=ext"))["items"]!.AsArray();
        Assert.Equal(["ok", "failing"], alerts.Select(a => (string?)a!["health"]));
        Assert.Equal([(string?)recovered["id"], (string?)failing["id"]], alerts.Select(a => (string?)a!["id"]));
        foreach (var alert in alerts)
        {
            var delivery = alert!["delivery"]!;
            Assert.Equal("delivered", (string?)delivery["status"]);
            Assert.Equal(1, (int)delivery["attempts"]!);
            Assert.Equal(200, (int)delivery["last_response_status"]!);
            // The token in the webhook's path is never shown.
            Assert.Equal(receiver.Authority, (string?)delivery["target"]);
        }
        Assert.Equal(2, _db.Scalar("SELECT COUNT(*) FROM alerts"));
    }

    [Fact]
    public async Task A_webhook_that_fails_is_retried_with_back_off_and_its_delivery_recorded()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_time, 503, 500, 200);
        await FailingAgentAsync("retried", receiver.Url);

        await TickUntilAsync(() => receiver.Requests.Count == 3);
        var attempts = receiver.Requests.ToList();
        Assert.Single(attempts.Select(a => a.Headers["X-AgentLedger-Alert-Id"]).Distinct());
        // First retry after 5 s, the next after 10 s (ticks are 5 s apart).
        Assert.InRange(attempts[1].At - attempts[0].At, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));
        Assert.InRange(attempts[2].At - attempts[1].At, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15));

        var delivery = await DeliveryAsync("retried", d => (string?)d["status"] == "delivered");
        Assert.Equal(3, (int)delivery["attempts"]!);
        Assert.Equal(200, (int)delivery["last_response_status"]!);
        Assert.Null((string?)delivery["last_error"]);
        Assert.NotNull((string?)delivery["delivered_at"]);
    }

    [Fact]
    public async Task A_receiver_that_refuses_for_good_is_not_retried()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_time, 404);
        await FailingAgentAsync("refused", receiver.Url);

        var delivery = await DeliveryAsync("refused", d => (string?)d["status"] == "failed");
        Assert.Equal(1, (int)delivery["attempts"]!);
        Assert.Equal(404, (int)delivery["last_response_status"]!);
        Assert.Contains("404", (string?)delivery["last_error"]);
        Assert.Null(delivery["next_attempt_at"]);
        await TicksAsync(4);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task Without_a_webhook_the_alert_is_still_recorded_and_signed_when_a_secret_is_set()
    {
        await FailingAgentAsync("quiet", webhook: null);
        var delivery = await DeliveryAsync("quiet", d => (string?)d["status"] == "none");
        Assert.Equal(0, (int)delivery["attempts"]!);
        Assert.Null((string?)delivery["target"]);
    }

    [Fact]
    public async Task Webhooks_are_signed_with_the_configured_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_time);
        var signed = Host("node-s", new() { ["AgentLedger:Alerts:Secret"] = "shh", ["AgentLedger:Alerts:WebhookUrl"] = receiver.Url });
        _client = signed.CreateAuthorizedClient();
        await FailingAgentAsync("signed", webhook: null);

        await TickUntilAsync(() => !receiver.Requests.IsEmpty);
        var request = Assert.Single(receiver.Requests);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("shh"u8.ToArray(), Encoding.UTF8.GetBytes(request.Body.ToJsonString())));
        Assert.Equal(expected, request.Headers["X-AgentLedger-Signature"]);
    }

    [Fact]
    public async Task Two_nodes_watching_one_ledger_raise_one_alert_per_change()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_time);
        _ = Client;
        Host("node-b").CreateClient().Dispose(); // a second server on the same database
        await FailingAgentAsync("shared", receiver.Url);
        await TickUntilAsync(() => !receiver.Requests.IsEmpty);
        await TicksAsync(4);

        Assert.Single(receiver.Requests);
        Assert.Equal(1, _db.Scalar("SELECT COUNT(*) FROM alerts WHERE agent_name = 'shared'"));
    }

    [Fact]
    public async Task A_webhook_url_that_is_not_http_is_refused_and_nothing_is_written()
    {
        await Client.ReportAsync(new { agent_name = "ext", status = "success", started_at = Iso(_time.GetUtcNow()) });
        var before = _db.RowCounts();
        var response = await Client.SetConfigAsync("ext", new { config = new { alert_webhook_url = "file:///etc/passwd" } });
        Assert.Equal(422, (int)response.StatusCode);
        Assert.Contains("config.alert_webhook_url", await response.Content.ReadAsStringAsync());
        Assert.Equal(before, _db.RowCounts());
    }

    private LedgerFactory Host(string node, Dictionary<string, string?>? settings = null)
    {
        var host = new LedgerFactory(_db, _time, node, settings);
        _hosts.Add(host);
        return host;
    }

    /// <summary>An external agent seen healthy once, then failing three times in a row.</summary>
    private async Task FailingAgentAsync(string agent, string? webhook)
    {
        await Client.ReportAsync(new { agent_name = agent, status = "success", started_at = Iso(_time.GetUtcNow()) });
        if (webhook is not null)
        {
            (await Client.SetConfigAsync(agent, new { config = new { alert_webhook_url = webhook } })).EnsureSuccessStatusCode();
        }
        await TickUntilAsync(() => _db.Scalar($"SELECT COUNT(*) FROM agent_health WHERE agent_name = '{agent}'") == 1);
        for (var i = 0; i < 3; i++)
        {
            await Client.ReportAsync(new { agent_name = agent, status = "failed", error_message = $"boom {i}", started_at = Iso(_time.GetUtcNow()) });
        }
    }

    private async Task<JsonNode> DeliveryAsync(string agent, Func<JsonNode, bool> done)
    {
        JsonNode? delivery = null;
        await TickUntilAsync(() =>
        {
            var items = Client.GetNodeAsync($"/api/alerts?agent={agent}").GetAwaiter().GetResult()["items"]!.AsArray();
            delivery = items.Count == 1 ? items[0]!["delivery"] : null;
            return delivery is not null && done(delivery);
        });
        return delivery!;
    }

    /// <summary>Moves the clock one check at a time until the condition holds (real time bounds the wait).</summary>
    private async Task TickUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 400; i++)
        {
            if (condition())
            {
                return;
            }
            if (i % 10 == 9)
            {
                _time.Advance(Check);
            }
            await Task.Delay(25);
        }
        Assert.Fail("The condition did not hold within 10 s of real time.");
    }

    private async Task TicksAsync(int ticks)
    {
        for (var i = 0; i < ticks; i++)
        {
            _time.Advance(Check);
            await Task.Delay(100);
        }
    }
}
