using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.Http;

/// <summary>Every kind of bad input is a 4xx problem detail, and the ledger is unchanged (row counts from the file).</summary>
public sealed class BadInputTests : IClassFixture<BadInputTests.Host>
{
    private readonly Host _host;

    public BadInputTests(Host host) => _host = host;

    public sealed class Host : IDisposable
    {
        public Host()
        {
            Factory = new LedgerFactory(Database);
            Client = Factory.CreateAuthorizedClient();
            // One running external execution to complete, and one finished one to complete twice.
            Running = Client.ReportAsync(new { agent_name = "ext" }).GetAwaiter().GetResult()["id"]!.ToString();
            Finished = Client.ReportAsync(new { agent_name = "ext", status = "success" }).GetAwaiter().GetResult()["id"]!.ToString();
        }

        public TestDatabase Database { get; } = new();
        public LedgerFactory Factory { get; }
        public HttpClient Client { get; }
        public string Running { get; }
        public string Finished { get; }

        public void Dispose()
        {
            Factory.Dispose();
            Database.Dispose();
        }
    }

    private static readonly string Future = DateTimeOffset.UtcNow.AddMinutes(30).ToString("O");

    public static TheoryData<string, string> Reports => new()
    {
        { "malformed JSON", "{\"agent_name\": \"ext\"" },
        { "not an object", "[1,2,3]" },
        { "empty body", "" },
        { "trailing garbage", "{\"agent_name\":\"ext\"} x" },
        { "unknown field", "{\"agent_name\":\"ext\",\"statuss\":\"success\"}" },
        { "missing agent name", "{\"status\":\"success\"}" },
        { "invalid agent name", "{\"agent_name\":\"Bad Name!\"}" },
        { "reserved agent name", "{\"agent_name\":\"stats\"}" },
        { "too long agent name", "{\"agent_name\":\"" + new string('a', 129) + "\"}" },
        { "agent name wrong type", "{\"agent_name\":42}" },
        { "unknown status", "{\"agent_name\":\"ext\",\"status\":\"exploded\"}" },
        { "abandoned is not reportable", "{\"agent_name\":\"ext\",\"status\":\"abandoned\"}" },
        { "status wrong type", "{\"agent_name\":\"ext\",\"status\":1}" },
        { "unknown trigger", "{\"agent_name\":\"ext\",\"trigger\":\"cron\"}" },
        { "completed_at without status", "{\"agent_name\":\"ext\",\"completed_at\":\"2026-01-01T00:00:00Z\"}" },
        { "result field without status", "{\"agent_name\":\"ext\",\"proposals_created\":2}" },
        { "completed before started", "{\"agent_name\":\"ext\",\"status\":\"success\",\"started_at\":\"2026-01-02T00:00:00Z\",\"completed_at\":\"2026-01-01T00:00:00Z\"}" },
        { "started in the future", "{\"agent_name\":\"ext\",\"started_at\":\"" + Future + "\"}" },
        { "completed in the future", "{\"agent_name\":\"ext\",\"status\":\"success\",\"completed_at\":\"" + Future + "\"}" },
        { "time without offset", "{\"agent_name\":\"ext\",\"started_at\":\"2026-01-01T00:00:00\"}" },
        { "time not a time", "{\"agent_name\":\"ext\",\"started_at\":\"yesterday\"}" },
        { "negative resources", "{\"agent_name\":\"ext\",\"status\":\"success\",\"resources_processed\":-1}" },
        { "fractional count", "{\"agent_name\":\"ext\",\"status\":\"success\",\"proposals_created\":1.5}" },
        { "count as string", "{\"agent_name\":\"ext\",\"status\":\"success\",\"proposals_created\":\"3\"}" },
        { "huge count", "{\"agent_name\":\"ext\",\"status\":\"success\",\"proposals_created\":99999999999999999999999}" },
        { "proposals_created below proposals", "{\"agent_name\":\"ext\",\"status\":\"success\",\"proposals_created\":0,\"proposals\":[{\"type\":\"match\",\"title\":\"A\"}]}" },
        { "proposal without title", "{\"agent_name\":\"ext\",\"status\":\"success\",\"proposals\":[{\"type\":\"match\"}]}" },
        { "proposal with empty type", "{\"agent_name\":\"ext\",\"status\":\"success\",\"proposals\":[{\"type\":\"\",\"title\":\"A\"}]}" },
        { "proposal data not an object", "{\"agent_name\":\"ext\",\"status\":\"success\",\"proposals\":[{\"type\":\"m\",\"title\":\"A\",\"data\":[1]}]}" },
        { "proposal unknown field", "{\"agent_name\":\"ext\",\"status\":\"success\",\"proposals\":[{\"type\":\"m\",\"title\":\"A\",\"score\":1}]}" },
        { "proposals not an array", "{\"agent_name\":\"ext\",\"status\":\"success\",\"proposals\":{}}" },
        { "metric not a number", "{\"agent_name\":\"ext\",\"status\":\"success\",\"metrics\":{\"x\":\"1\"}}" },
        { "metric NaN literal", "{\"agent_name\":\"ext\",\"status\":\"success\",\"metrics\":{\"x\":NaN}}" },
        { "metric overflow", "{\"agent_name\":\"ext\",\"status\":\"success\",\"metrics\":{\"x\":1e999}}" },
        { "metadata not an object", "{\"agent_name\":\"ext\",\"metadata\":\"text\"}" },
        { "duplicate field", "{\"agent_name\":\"ext\",\"agent_name\":\"other\"}" },
        { "NUL in error message", "{\"agent_name\":\"ext\",\"status\":\"failed\",\"error_message\":\"a\\u0000b\"}" },
    };

    [Theory]
    [MemberData(nameof(Reports))]
    public async Task Bad_report_is_a_4xx_problem_and_writes_nothing(string why, string body)
    {
        var before = _host.Database.RowCounts();

        var response = await _host.Client.PostAsync("/api/executions", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblem(response, why);
        Assert.Equal(before, _host.Database.RowCounts());
    }

    [Fact]
    public async Task Metadata_over_64_KiB_is_413_and_writes_nothing()
    {
        var before = _host.Database.RowCounts();
        var body = "{\"agent_name\":\"ext\",\"metadata\":{\"blob\":\"" + new string('x', 65 * 1024) + "\"}}";

        var response = await _host.Client.PostAsync("/api/executions", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertProblem(response, "metadata too large");
        Assert.Equal(before, _host.Database.RowCounts());
    }

    [Fact]
    public async Task Non_UTF8_body_is_a_400_problem()
    {
        var before = _host.Database.RowCounts();
        var bytes = new byte[] { (byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}' };
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await _host.Client.PostAsync("/api/executions", content);

        await AssertProblem(response, "non-UTF-8");
        Assert.Equal(before, _host.Database.RowCounts());
    }

    public static TheoryData<string, string> Completions => new()
    {
        { "missing status", "{}" },
        { "running is not final", "{\"status\":\"running\"}" },
        { "unknown status", "{\"status\":\"done\"}" },
        { "unknown field", "{\"status\":\"success\",\"agent_name\":\"ext\"}" },
        { "completed before started", "{\"status\":\"success\",\"completed_at\":\"2000-01-01T00:00:00Z\"}" },
        { "metadata not an object", "{\"status\":\"success\",\"metadata\":[]}" },
        { "negative proposals_created", "{\"status\":\"success\",\"proposals_created\":-2}" },
    };

    [Theory]
    [MemberData(nameof(Completions))]
    public async Task Bad_completion_is_a_4xx_problem_and_leaves_the_run_running(string why, string body)
    {
        var before = _host.Database.RowCounts();

        var response = await _host.Client.PostAsync($"/api/executions/{_host.Running}/complete", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblem(response, why);
        Assert.Equal(before, _host.Database.RowCounts());
        Assert.Equal("running", (string?)(await _host.Client.GetNodeAsync($"/api/executions/{_host.Running}"))["status"]);
    }

    [Fact]
    public async Task Completing_twice_is_409_and_changes_nothing()
    {
        var before = _host.Database.RowCounts();
        var rollups = _host.Database.Scalar("SELECT SUM(success_count) FROM agent_rollups");

        var response = await _host.Client.PostAsync($"/api/executions/{_host.Finished}/complete", Api.Json(new { status = "failed" }));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        await AssertProblem(response, "complete twice");
        Assert.Equal(before, _host.Database.RowCounts());
        Assert.Equal(rollups, _host.Database.Scalar("SELECT SUM(success_count) FROM agent_rollups"));
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client.PostAsync($"/api/executions/{Guid.NewGuid()}/complete", Api.Json(new { status = "success" }))).StatusCode);
    }

    [Theory]
    [InlineData("/api/agents/ext/executions?status=exploded")]
    [InlineData("/api/agents/ext/executions?limit=0")]
    [InlineData("/api/agents/ext/executions?limit=100000")]
    [InlineData("/api/agents/ext/executions?limit=abc")]
    [InlineData("/api/agents/ext/executions?from=yesterday")]
    [InlineData("/api/agents/ext/executions?cursor=not-a-cursor")]
    [InlineData("/api/proposals?status=maybe")]
    [InlineData("/api/proposals?agent_name=Not%20Valid")]
    [InlineData("/api/agents/stats?window=1y")]
    public async Task Bad_query_is_a_400_problem(string url)
    {
        var response = await _host.Client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertProblem(response, url);
    }

    [Theory]
    [InlineData("/api/agents/nobody")]
    [InlineData("/api/agents/nobody/stats")]
    [InlineData("/api/agents/nobody/settings")]
    [InlineData("/api/agents/nobody/settings/history")]
    [InlineData("/api/agents/nobody/executions")]
    [InlineData("/api/agents/nobody/history")]
    [InlineData("/api/agents/Not%20Valid/stats")]
    [InlineData("/api/executions/00000000-0000-0000-0000-000000000000")]
    [InlineData("/api/proposals/00000000-0000-0000-0000-000000000000")]
    public async Task Unknown_things_are_404_problems(string url)
    {
        var response = await _host.Client.GetAsync(url);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await AssertProblem(response, url);
    }

    private static async Task AssertProblem(HttpResponseMessage response, string why)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status is >= 400 and < 500, $"{why}: expected 4xx, got {status}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = System.Text.Json.Nodes.JsonNode.Parse(text)!;
        Assert.Equal(status, (int)problem["status"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]), why);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]), $"{why}: no detail in {text}");
    }
}
