using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.ExternalAgents;

/// <summary>A refused report names every mistake at once, and every 4xx says why in its detail.</summary>
public sealed class OneClearBadRequestTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly LedgerFactory _host;
    private readonly HttpClient _client;

    public OneClearBadRequestTests()
    {
        _host = new LedgerFactory(_db);
        _client = _host.CreateAuthorizedClient();
    }

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task Three_unknown_fields_a_wrong_type_and_a_NaN_are_named_in_one_400()
    {
        // What a Python agent with typos sends by default: json.dumps writes NaN for float('nan').
        const string body = """
            {"agent_name": "py-agent", "status": "success", "agnet": 1, "duration": 2.5, "tags": ["a"],
             "resources_processed": "12", "metrics": {"tokens": NaN, "cost": 0.5}, "metadata": {"score": -Infinity}}
            """;
        var problem = await PostAsync("/api/executions", body, 400);

        var errors = problem["errors"]!.AsObject();
        Assert.Equal(["agnet", "duration", "metadata.score", "metrics.tokens", "resources_processed", "tags"], errors.Select(e => e.Key).Order());
        Assert.Contains("is not a known field", (string?)errors["agnet"]![0]);
        Assert.Contains("must be a whole number", (string?)errors["resources_processed"]![0]);
        Assert.Contains("json.dumps(..., allow_nan=False)", (string?)errors["metrics.tokens"]![0]);
        Assert.Contains("send null or a finite number", (string?)errors["metadata.score"]![0]);
        foreach (var field in new[] { "agnet", "duration", "tags", "resources_processed", "metrics.tokens", "metadata.score" })
        {
            Assert.Contains(field, (string?)problem["detail"]);
        }
        Assert.Equal(0, _db.Scalar("SELECT COUNT(*) FROM agent_executions"));
    }

    [Fact]
    public async Task Shape_errors_and_rule_violations_come_together()
    {
        var problem = await PostAsync("/api/executions", """{"agent_name": "Bad Name!", "statuss": "success", "started_at": 5, "proposals_created": 2}""", 400);
        var errors = problem["errors"]!.AsObject();
        Assert.Equal(["agent_name", "started_at", "status", "statuss"], errors.Select(e => e.Key).Order());
        Assert.Contains("did you mean 'status'?", (string?)errors["statuss"]![0]);
        Assert.Contains("ISO-8601", (string?)errors["started_at"]![0]);
        Assert.Single(errors["started_at"]!.AsArray());
    }

    [Fact]
    public async Task A_completion_and_a_heartbeat_name_every_mistake_too()
    {
        var run = await _client.ReportAsync(new { agent_name = "py-agent" });
        var problem = await PostAsync($"/api/executions/{run["id"]}/complete", """{"status": "failed", "proposals": [{"type": 1, "titel": "x"}], "metrics": {"a": "1"}}""", 400);
        Assert.Equal(["metrics.a", "proposals", "proposals[0].titel", "proposals[0].title", "proposals[0].type"], problem["errors"]!.AsObject().Select(e => e.Key).Order());

        var beat = await PostAsync($"/api/executions/{run["id"]}/heartbeat", """{"metadata": "text", "progress": 3}""", 400);
        Assert.Equal(["metadata", "progress"], beat["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.Equal("running", (string?)(await _client.GetNodeAsync($"/api/executions/{run["id"]}"))["status"]);
    }

    [Theory]
    [InlineData("{\"agent_name\": \"x\", \"metrics\": {\"a\": 1,}}", "trailing comma")]
    [InlineData("{\"agent_name\": \"x\" // the agent\n}", "comment")]
    [InlineData("{\"agent_name\": \"x\", \"metadata\": {\"a\": [1, 2", "truncated")]
    [InlineData("{'agent_name': 'x'}", "double quotes")]
    [InlineData("{\"agent_name\": \"x\"} {}", "exactly one JSON object")]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("", "A JSON object is required")]
    public async Task Parser_failures_are_sentences_that_say_the_fix(string body, string expected)
    {
        var problem = await PostAsync("/api/executions", body, 400);
        Assert.Contains(expected, (string?)problem["detail"]);
        Assert.Contains(expected, (string?)problem["errors"]!["$"]![0]);
    }

    [Fact]
    public async Task Invalid_utf8_is_named_with_its_offset()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"agent_name\": \"caf\"}").ToList();
        bytes.Insert(19, 0xE9); // Latin-1 é inside the string
        using var content = new ByteArrayContent([.. bytes]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var response = await _client.PostAsync("/api/executions", content);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid UTF-8 (first bad byte at offset 19)", (string?)problem["detail"]);
    }

    [Fact]
    public async Task Framework_4xx_answers_carry_a_detail()
    {
        using var text = new StringContent("{\"agent_name\": \"x\"}", Encoding.UTF8, "text/plain");
        var unsupported = await Problem(await _client.PostAsync("/api/executions", text), 415);
        Assert.Contains("application/json", (string?)unsupported["detail"]);

        await _client.ReportAsync(new { agent_name = "x", status = "success" });
        using var settingsText = new StringContent("{\"enabled\": false}", Encoding.UTF8, "text/plain");
        var framework415 = await Problem(await _client.PutAsync("/api/agents/x/settings", settingsText), 415);
        Assert.Contains("application/json", (string?)framework415["detail"]);

        var notUuid = await Problem(await _client.GetAsync("/api/executions/not-a-uuid"), 404);
        Assert.Contains("UUID", (string?)notUuid["detail"]);
        await Problem(await _client.GetAsync("/api/nothing-here"), 404);

        var method = await Problem(await _client.DeleteAsync("/api/executions"), 405);
        Assert.Contains("DELETE /api/executions", (string?)method["detail"]);

        using var anonymous = _host.CreateClient();
        await Problem(await anonymous.PostAsync("/api/executions", Api.Json(new { agent_name = "x" })), 401);
    }

    private async Task<JsonNode> PostAsync(string url, string body, int status)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await Problem(await _client.PostAsync(url, content), status);
    }

    private static async Task<JsonNode> Problem(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]), $"no detail: {text}");
        return problem;
    }
}
