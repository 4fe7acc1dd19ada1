using System.Net;
using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.Auth;

public sealed class AccessTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly AuthHost _host;

    public AccessTests() => _host = new AuthHost(_db);

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task A_report_key_reports_only_for_its_agents_and_the_check_is_on_the_object()
    {
        using var field = _host.Client(await _host.KeyAsync("field", "report", "field-*"));
        using var admin = _host.Client();
        await field.ReportAsync(new { agent_name = "field-north", status = "success" });
        var open = Guid.NewGuid();
        await admin.ReportAsync(new { id = open, agent_name = "other" });
        var before = _db.RowCounts();
        var agentsBefore = (await admin.GetNodeAsync("/api/agents"))["agents"]!.AsArray().Count;

        var report = await field.PostJsonAsync("/api/executions", new { agent_name = "elsewhere", status = "success" });
        Assert.Equal(HttpStatusCode.Forbidden, report.StatusCode);
        Assert.Contains("field-*", (string?)(await report.ReadNodeAsync())["detail"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await field.PostJsonAsync($"/api/executions/{open}/complete", new { status = "success" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await field.PostJsonAsync($"/api/executions/{open}/heartbeat", new { metadata = new { x = 1 } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await field.PostJsonAsync("/api/executions", new { id = open, agent_name = "other" })).StatusCode);

        Assert.Equal(before, _db.RowCounts());
        var agents = (await admin.GetNodeAsync("/api/agents"))["agents"]!.AsArray();
        Assert.Equal(agentsBefore, agents.Count);
        Assert.DoesNotContain(agents, a => (string?)a!["name"] == "elsewhere");
        var run = await admin.GetNodeAsync($"/api/executions/{open}");
        Assert.Equal("running", (string?)run["status"]);
        Assert.Null(run["metadata"]);

        // Its own agents, all the way through.
        var mine = Guid.NewGuid();
        await field.ReportAsync(new { id = mine, agent_name = "field-south", heartbeat_seconds = 30 });
        Assert.Equal(HttpStatusCode.OK, (await field.PostJsonAsync($"/api/executions/{mine}/heartbeat", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await field.PostJsonAsync($"/api/executions/{mine}/complete", new { status = "success" })).StatusCode);
        // Reading is part of every role.
        Assert.Equal(HttpStatusCode.OK, (await field.GetAsync("/api/agents/stats")).StatusCode);
    }

    [Fact]
    public async Task Decisions_settings_and_runs_record_the_key_name_whatever_the_client_writes()
    {
        using var admin = _host.Client();
        await admin.ReportAsync(new
        {
            agent_name = "ext-a",
            status = "success",
            proposals = new[] { new { type = "match", title = "Ladder for Ana" }, new { type = "match", title = "Bread for Ben" } },
        });
        var pending = (await admin.GetNodeAsync("/api/proposals?agent_name=ext-a"))["items"]!.AsArray();
        var first = (string)pending[0]!["id"]!;
        var second = (string)pending[1]!["id"]!;

        using var alice = _host.Client(await _host.KeyAsync("alice", "review"));
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.PostJsonAsync($"/api/proposals/{first}/approve", new { decided_by_key = "bob" })).StatusCode);
        var approved = await alice.PostExpectAsync($"/api/proposals/{first}/approve", new { decided_by = "mallory", reason = "fits" }, 200);
        Assert.Equal("mallory", (string?)approved["decided_by"]);
        Assert.Equal("alice", (string?)approved["decided_by_key"]);
        Assert.Equal("alice", (string?)(await admin.GetNodeAsync($"/api/proposals/{first}"))["decided_by_key"]);
        await alice.PostExpectAsync($"/api/proposals/{second}/reject", new { reason = "no" }, 200);

        var approve = Single(await AuditAsync(admin, "proposal.approve"));
        Assert.Equal(("alice", "review", "proposal", first, 200), ((string?)approve["key_name"], (string?)approve["role"], (string?)approve["resource_type"], (string?)approve["resource_id"], (int)approve["status_code"]!));
        Assert.Equal("127.0.0.1", (string?)approve["remote_address"]);
        Assert.Equal(second, (string?)Single(await AuditAsync(admin, "proposal.reject"))["resource_id"]);

        using var ops = _host.Client(await _host.KeyAsync("ops", "admin"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await ops.PutJsonAsync("/api/agents/scripted/settings", new { updated_by_key = "root" })).StatusCode);
        var updated = await (await ops.PutJsonAsync("/api/agents/scripted/settings", new { interval_seconds = 120, updated_by = "someone else" })).ReadNodeAsync();
        Assert.Equal("someone else", (string?)updated["updated_by"]);
        Assert.Equal("ops", (string?)updated["updated_by_key"]);
        var change = Single(await AuditAsync(admin, "settings.update"));
        Assert.Equal("ops", (string?)change["key_name"]);
        Assert.Equal("scripted", (string?)change["resource_id"]);
        Assert.Equal(3600, (int)change["before"]!["interval_seconds"]!);
        Assert.Equal(120, (int)change["after"]!["interval_seconds"]!);
        (await ops.DeleteAsync("/api/agents/scripted/settings")).EnsureSuccessStatusCode();
        var reset = Single(await AuditAsync(admin, "settings.reset"));
        Assert.Equal(120, (int)reset["before"]!["interval_seconds"]!);
        Assert.Equal("ops", (string?)(await admin.GetNodeAsync("/api/agents/scripted/settings/history"))["items"]![0]!["updated_by_key"]);

        var run = await ops.PostExpectAsync("/api/agents/scripted/run?wait=true", new { }, 200);
        Assert.Equal("ops", (string?)run["requested_by_key"]);
        var ran = Single(await AuditAsync(admin, "agent.run"));
        Assert.Equal("ops", (string?)ran["key_name"]);
        Assert.Contains((string)run["id"]!, (string?)ran["resource_id"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_secret_appears_only_in_the_create_answer()
    {
        var created = await _host.CreateKeyAsync("leaky", "admin");
        var key = (string)created["key"]!;
        var secret = key[21..];
        using var client = _host.Client(key);
        var texts = new List<string>();
        await client.ReportAsync(new
        {
            agent_name = "py-agent",
            status = "failed",
            error_type = "AuthError",
            error_message = $"server refused {key} (header X-Api-Key)",
            metadata = new { env = new { AGENTLEDGER_KEY = key } },
        });
        var wrong = await _host.Client(key + "x").GetAsync("/api/agents");
        texts.Add(await wrong.Content.ReadAsStringAsync());
        var wrongSecret = await _host.Client(key[..^1] + (key[^1] == 'A' ? "B" : "A")).PutJsonAsync("/api/agents/scripted/settings", new { enabled = false });
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        texts.Add(await wrongSecret.Content.ReadAsStringAsync());
        texts.Add(await (await client.PostJsonAsync("/api/keys", new { name = "leaky", role = "admin" })).Content.ReadAsStringAsync());
        texts.Add(await client.GetStringAsync("/api/keys"));
        texts.Add(await client.GetStringAsync("/api/audit?limit=500"));
        texts.Add(await client.GetStringAsync("/metrics"));
        texts.Add(await client.GetStringAsync("/api/agents/py-agent/executions"));
        texts.Add(await client.GetStringAsync("/api/agents/py-agent/errors"));
        texts.AddRange(_host.Logs);
        using (var connection = _db.Open())
        {
            foreach (var table in new[] { "api_keys", "audit_log", "agent_executions" })
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT * FROM {table}";
                using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        texts.Add(reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "");
                    }
                }
            }
        }
        Assert.True(texts.Count > 20);
        foreach (var text in texts)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
        var stored = (await client.GetNodeAsync("/api/agents/py-agent/executions"))["items"]![0]!;
        Assert.Equal("server refused alk_[redacted] (header X-Api-Key)", (string?)stored["error_message"]);
        Assert.Equal("alk_[redacted]", (string?)stored["metadata"]!["env"]!["AGENTLEDGER_KEY"]);
    }

    [Fact]
    public async Task Whoami_needs_a_key_and_reads_are_open_on_a_loopback_only_listener()
    {
        using var anonymous = _host.Client(key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/auth/whoami")).StatusCode);
        foreach (var url in new[] { "/api/agents", "/api/agents/stats", "/api/proposals", "/api/alerts", "/api/commons/locations", "/health/live", "/health/ready", "/metrics" })
        {
            Assert.True((await anonymous.GetAsync(url)).StatusCode == HttpStatusCode.OK, url);
        }
        using var refused = _host.Client("alk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await refused.GetAsync("/api/agents")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/audit")).StatusCode);
    }

    private static async Task<JsonArray> AuditAsync(HttpClient admin, string action) =>
        (await admin.GetNodeAsync($"/api/audit?action={action}"))["items"]!.AsArray();

    private static JsonNode Single(JsonArray items) => Assert.Single(items)!;
}

public sealed class ExposedListenerTests
{
    [Fact]
    public async Task On_a_non_loopback_address_reads_need_a_key_unless_public_reads_is_set()
    {
        using var db = new TestDatabase();
        using (var host = new AuthHost(db, listen: IPAddress.Any))
        {
            using var anonymous = host.Client(key: null);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/agents")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/agents/stats")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/executions/00000000-0000-0000-0000-000000000001")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
            using var reader = host.Client(await host.KeyAsync("viewer", "read"));
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/agents")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await reader.PutJsonAsync("/api/agents/scripted/settings", new { enabled = false })).StatusCode);
        }
        using (var host = new AuthHost(db, listen: IPAddress.Any, settings: new Dictionary<string, string?> { ["AgentLedger:Auth:PublicReads"] = "true", ["AgentLedger:ProtectMetrics"] = "true" }))
        {
            using var anonymous = host.Client(key: null);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/agents")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await host.Client().GetAsync("/metrics")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostJsonAsync("/api/executions", new { agent_name = "x" })).StatusCode);
        }
    }

    [Fact]
    public async Task Refused_keys_from_one_address_are_answered_429_long_before_the_200th_and_nothing_is_written()
    {
        using var db = new TestDatabase();
        using var host = new AuthHost(db, settings: new Dictionary<string, string?> { ["AgentLedger:Auth:FailuresPerMinute"] = "30" });
        var before = db.RowCounts();
        int? firstThrottled = null;
        for (var i = 0; i < 200 && firstThrottled is null; i++)
        {
            using var client = host.Client($"alk_{i:x16}_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA{i % 10}");
            var response = await client.PostJsonAsync("/api/executions", new { agent_name = "brute", status = "success" });
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                firstThrottled = i;
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 without Retry-After");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
            else
            {
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }
        Assert.True(firstThrottled is > 0 and < 199, $"first 429 at attempt {firstThrottled}");
        // Once throttled, even the right key waits: guessing cannot go on in the meantime.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await host.Client().PostJsonAsync("/api/executions", new { agent_name = "brute" })).StatusCode);
        Assert.Equal(before, db.RowCounts());
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.denied'"));
    }
}
