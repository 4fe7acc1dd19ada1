using System.Text;
using AgentLedger.TestHost.Contract;
using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.Operations;

/// <summary>The checker every test's answers go through: it must see each kind of lie the document could tell.</summary>
public sealed class ContractValidationTests : IClassFixture<OpenApiTests.Host>
{
    private static readonly Dictionary<string, string> NoHeaders = [];
    private readonly OpenApiTests.Host _host;

    public ContractValidationTests(OpenApiTests.Host host) => _host = host;

    private async Task<OpenApiContract> ContractAsync() =>
        new(await _host.Factory.CreateClient().GetStringAsync("/openapi/v1.json"));

    private static ReadOnlyMemory<byte> Body(string json) => Encoding.UTF8.GetBytes(json);

    private static string Execution(string metadata) => $$"""
        {"id":"01a2334f-74ba-7284-ae23-02d5bef1fd55","agent_name":"ext","trigger":"external","scheduled_for":null,"node":null,
         "started_at":"2026-11-20T10:00:00Z","completed_at":null,"duration_ms":null,"status":"running","error_type":null,
         "error_message":null,"proposals_created":0,"resources_processed":0,"metrics":{},"metadata":{{metadata}},"cpu_ms":null,"allocated_bytes":null}
        """;

    [Fact]
    public async Task A_true_answer_passes_and_each_kind_of_lie_is_named()
    {
        var contract = await ContractAsync();
        var location = new Dictionary<string, string> { ["Location"] = "/api/executions/01a2334f-74ba-7284-ae23-02d5bef1fd55" };

        Assert.Empty(contract.Check("POST", "/api/executions", 201, "application/json; charset=utf-8", location, Body(Execution("null"))));
        Assert.Empty(contract.Check("POST", "/api/executions", 201, "application/json", location, Body(Execution("""{"k":1}"""))));

        Assert.Contains(contract.Check("POST", "/api/executions", 201, "application/json", location, Body(Execution("\"text\""))), v => v.Contains("/metadata", StringComparison.Ordinal));
        Assert.Contains(contract.Check("POST", "/api/executions", 201, "application/json", NoHeaders, Body(Execution("null"))), v => v.Contains("required header Location", StringComparison.Ordinal));
        Assert.Contains(contract.Check("POST", "/api/executions", 201, "application/json", location, Body(Execution("null").Replace("\"running\"", "\"done\"", StringComparison.Ordinal))), v => v.Contains("/status", StringComparison.Ordinal));
        Assert.Contains(contract.Check("POST", "/api/executions", 201, "application/json", location, Body(Execution("null").Replace("2026-11-20T10:00:00Z", "yesterday", StringComparison.Ordinal))), v => v.Contains("/started_at", StringComparison.Ordinal));
        Assert.Contains(contract.Check("GET", "/api/agents", 418, "application/json", NoHeaders, Body("{}")), v => v.Contains("does not list", StringComparison.Ordinal));
        Assert.Contains(contract.Check("GET", "/api/agents", 200, "text/html", NoHeaders, Body("<html/>")), v => v.Contains("not documented", StringComparison.Ordinal));
        Assert.Contains(contract.Check("GET", "/api/agents/ext", 200, "application/json", new Dictionary<string, string> { ["Retry-After"] = "1" }, Body("{}")), v => v.Contains("Retry-After", StringComparison.Ordinal));
        Assert.Contains(contract.Check("GET", "/api/nowhere/else", 200, "application/json", NoHeaders, Body("{}")), v => v.Contains("no path", StringComparison.Ordinal));

        const string Problem = """{"type":"about:blank","title":"Not found.","status":404,"detail":"No agent is named 'x'.","trace_id":"abc"}""";
        Assert.Empty(contract.Check("GET", "/api/agents/x", 404, "application/problem+json", NoHeaders, Body(Problem)));
        Assert.Contains(contract.Check("GET", "/api/agents/x", 404, "application/problem+json", NoHeaders, Body(Problem.Replace("\"trace_id\"", "\"traceId\"", StringComparison.Ordinal))), v => v.Contains("traceId", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Literal_paths_win_over_parameters_as_in_routing()
    {
        var contract = await ContractAsync();

        // /api/agents/stats is its own operation: an agent's body there is a lie, a stats map is the truth.
        Assert.Empty(contract.Check("GET", "/api/agents/stats", 200, "application/json", NoHeaders, Body("{}")));
        Assert.NotEmpty(contract.Check("GET", "/api/agents/stats", 200, "application/json", NoHeaders, Body("""{"ext":{"stats":1}}""")));
    }

    [Fact]
    public async Task Answers_of_the_test_host_go_through_the_check()
    {
        var before = ContractValidation.Checked;

        var response = await _host.Factory.CreateClient().GetAsync("/api/agents?x=1");

        response.EnsureSuccessStatusCode();
        Assert.True(ContractValidation.Checked > before);
    }
}
