using System.Net;
using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.Http;

public sealed class SettingsAndAuthTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly LedgerFactory _host;
    private readonly HttpClient _client;

    public SettingsAndAuthTests()
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
    public async Task Settings_default_update_partially_keep_history_and_reset()
    {
        var defaults = await _client.GetNodeAsync("/api/agents/scripted/settings");
        Assert.True((bool)defaults["is_default"]!);
        Assert.Equal(3600, (int)defaults["interval_seconds"]!);

        var updated = await _client.PutJsonAsync("/api/agents/scripted/settings", new { interval_seconds = 120, updated_by = "ops" });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var body = await updated.ReadNodeAsync();
        Assert.Equal(120, (int)body["interval_seconds"]!);
        Assert.Equal(30, (int)body["timeout_seconds"]!); // untouched
        Assert.Equal("ops", (string?)body["updated_by"]);
        Assert.Equal(1, (int)body["version"]!);

        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { timeout_seconds = 10, config = new { outcome = "success" } })).EnsureSuccessStatusCode();
        var history = await _client.GetNodeAsync("/api/agents/scripted/settings/history");
        var items = history["items"]!.AsArray();
        Assert.Single(items);
        Assert.Equal(120, (int)items[0]!["interval_seconds"]!);
        Assert.Equal(30, (int)items[0]!["timeout_seconds"]!);

        var reset = await _client.DeleteAsync("/api/agents/scripted/settings");
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var after = await _client.GetNodeAsync("/api/agents/scripted/settings");
        Assert.Equal(3600, (int)after["interval_seconds"]!);
        Assert.Equal(30, (int)after["timeout_seconds"]!);
        Assert.Equal(2, (await _client.GetNodeAsync("/api/agents/scripted/settings/history"))["items"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("{\"interval_seconds\":0}", "interval_seconds")]
    [InlineData("{\"interval_seconds\":-5}", "interval_seconds")]
    [InlineData("{\"interval_seconds\":99999999}", "interval_seconds")]
    [InlineData("{\"interval_seconds\":\"often\"}", "interval_seconds")]
    [InlineData("{\"interval_seconds\":1.5}", "interval_seconds")]
    [InlineData("{\"timeout_seconds\":0}", "timeout_seconds")]
    [InlineData("{\"timeout_seconds\":100000}", "timeout_seconds")]
    [InlineData("{\"enabled\":\"yes\"}", "enabled")]
    [InlineData("{\"config\":[1]}", "config")]
    [InlineData("{\"config\":{\"outcome\":\"explode\"}}", "config.outcome")]
    [InlineData("{\"enabeld\":false}", "enabeld")]
    [InlineData("[]", "body")]
    public async Task Invalid_settings_are_422_and_the_previous_settings_stay(string body, string field)
    {
        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { interval_seconds = 300 })).EnsureSuccessStatusCode();
        var before = _db.RowCounts();

        var response = await _client.PutAsync("/api/agents/scripted/settings", Api.Json(body));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadNodeAsync();
        Assert.NotNull(problem["errors"]![field]);
        Assert.Equal(before, _db.RowCounts());
        Assert.Equal(300, (int)(await _client.GetNodeAsync("/api/agents/scripted/settings"))["interval_seconds"]!);
    }

    [Fact]
    public async Task External_agents_are_not_scheduled()
    {
        await _client.ReportAsync(new { agent_name = "remote", status = "success" });
        var settings = await _client.GetNodeAsync("/api/agents/remote/settings");
        Assert.Null(settings["interval_seconds"]);

        var response = await _client.PutJsonAsync("/api/agents/remote/settings", new { interval_seconds = 60 });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        (await _client.PutJsonAsync("/api/agents/remote/settings", new { timeout_seconds = 600 })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Persisted_settings_reach_the_agent()
    {
        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { config = new { proposals = 2 } })).EnsureSuccessStatusCode();
        var first = await _client.PostExpectAsync("/api/agents/scripted/run?wait=true", new { }, 200);
        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { config = new { proposals = 5 } })).EnsureSuccessStatusCode();
        var second = await _client.PostExpectAsync("/api/agents/scripted/run?wait=true", new { }, 200);

        Assert.Equal(2, (int)first["proposals_created"]!);
        // Five proposed; the two still pending from the first run are not proposed again.
        Assert.Equal(3, (int)second["proposals_created"]!);
        Assert.Equal(2, (int)second["metadata"]!["skipped_duplicates"]!);
    }

    [Fact]
    public async Task Agents_list_shows_built_in_and_external_agents_with_their_settings()
    {
        await _client.ReportAsync(new { agent_name = "remote", status = "success" });
        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { enabled = false })).EnsureSuccessStatusCode();

        var list = await _client.GetNodeAsync("/api/agents");

        var agents = list["agents"]!.AsArray();
        Assert.Equal(agents.Count, (int)list["total"]!);
        var scripted = agents.Single(a => (string?)a!["name"] == "scripted")!;
        Assert.False((bool)scripted["enabled"]!);
        Assert.Equal("builtin", (string?)scripted["kind"]);
        var remote = agents.Single(a => (string?)a!["name"] == "remote")!;
        Assert.Equal("external", (string?)remote["kind"]);
        Assert.NotNull(remote["last_run"]);
        Assert.Equal("remote", (string?)(await _client.GetNodeAsync("/api/agents/remote"))["name"]);
    }

    [Theory]
    [InlineData("POST", "/api/executions")]
    [InlineData("POST", "/api/agents/scripted/run")]
    [InlineData("PUT", "/api/agents/scripted/settings")]
    [InlineData("DELETE", "/api/agents/scripted/settings")]
    [InlineData("POST", "/api/proposals/00000000-0000-0000-0000-000000000001/approve")]
    [InlineData("POST", "/api/proposals/00000000-0000-0000-0000-000000000001/reject")]
    [InlineData("POST", "/api/executions/00000000-0000-0000-0000-000000000001/complete")]
    public async Task Mutating_calls_need_the_api_key(string method, string url)
    {
        var anonymous = _host.CreateClient();
        var before = _db.RowCounts();

        foreach (var headers in new[] { Array.Empty<(string, string)>(), [("X-Api-Key", "wrong")], [("Authorization", "Bearer wrong")] })
        {
            var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = Api.Json(new { agent_name = "ext", status = "success" }) };
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            var response = await anonymous.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(before, _db.RowCounts());

        var bearer = new HttpRequestMessage(HttpMethod.Post, "/api/executions") { Content = Api.Json(new { agent_name = "ext", status = "success" }) };
        bearer.Headers.Authorization = new("Bearer", LedgerFactory.ApiKey);
        Assert.Equal(HttpStatusCode.Created, (await anonymous.SendAsync(bearer)).StatusCode);
    }

    [Fact]
    public async Task Reads_need_no_key()
    {
        var anonymous = _host.CreateClient();
        foreach (var url in new[] { "/api/agents", "/api/agents/stats", "/api/agents/scripted/settings", "/api/proposals", "/health/live", "/health/ready", "/openapi/v1.json" })
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(url)).StatusCode);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Without_a_configured_key_one_is_generated_into_a_mode_600_file()
    {
        using var db = new TestDatabase();
        using var host = new LedgerFactory(db).WithWebHostBuilder(b => b.UseSetting("AgentLedger:ApiKey", ""));
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/executions", Api.Json(new { agent_name = "x" }))).StatusCode);

        var file = Path.Combine(db.Folder, "api-key");
        Assert.True(File.Exists(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var key = File.ReadAllText(file).Trim();
        Assert.True(key.Length >= 32);
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/executions", Api.Json(new { agent_name = "x" }))).StatusCode);
    }
}
