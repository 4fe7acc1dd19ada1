using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AgentLedger.Tests.Operations;

public sealed class OpenApiTests : IClassFixture<OpenApiTests.Host>
{
    private readonly Host _host;

    public OpenApiTests(Host host) => _host = host;

    public sealed class Host : IDisposable
    {
        public TestDatabase Database { get; } = new();
        public LedgerFactory Factory { get; }

        public Host() => Factory = new LedgerFactory(Database);

        public void Dispose()
        {
            Factory.Dispose();
            Database.Dispose();
        }
    }

    private static readonly string[] Infrastructure = ["/openapi/{documentName}.json", "/docs/{**path}"];

    [Fact]
    public async Task Every_mapped_endpoint_is_in_the_document_with_its_problems()
    {
        var document = await _host.Factory.CreateClient().GetNodeAsync("/openapi/v1.json");
        var paths = document["paths"]!.AsObject();
        var endpoints = _host.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Route: "/" + e.RoutePattern.RawText!.TrimStart('/'), Method: m)))
            .Where(e => !Infrastructure.Contains(e.Route) && !e.Route.StartsWith("/docs", StringComparison.Ordinal))
            .ToList();
        Assert.True(endpoints.Count >= 40, $"only {endpoints.Count} endpoints found");

        foreach (var (route, method) in endpoints)
        {
            var path = route.Replace(":guid", "", StringComparison.Ordinal).TrimEnd('/');
            Assert.True(paths.ContainsKey(path), $"{method} {path} is not in the OpenAPI document");
            var operation = paths[path]![method.ToLowerInvariant()];
            Assert.True(operation is not null, $"{method} {path} has no operation");
            Assert.False(string.IsNullOrEmpty((string?)operation!["operationId"]), $"{method} {path} has no operationId");
            var responses = operation["responses"]!.AsObject();
            if (method != "GET")
            {
                Assert.True(responses.ContainsKey("401"), $"{method} {path} does not document 401");
                Assert.NotNull(operation["security"]);
                Assert.NotNull(responses["401"]!["content"]!["application/problem+json"]);
            }
        }
        var report = paths["/api/executions"]!["post"]!;
        Assert.NotNull(report["requestBody"]!["content"]!["application/json"]!["schema"]);
        foreach (var status in new[] { "400", "413", "429" })
        {
            Assert.True(report["responses"]!.AsObject().ContainsKey(status), status);
        }
        var schemas = document["components"]!["schemas"]!.AsObject();
        Assert.NotNull(schemas["ReportExecutionRequest"]!["examples"]);
        Assert.NotNull(schemas["AgentStats"]!["properties"]!["proposals_created_30d"]);
        Assert.NotNull(document["components"]!["securitySchemes"]!["ApiKey"]);
    }

    [Fact]
    public async Task The_document_says_what_the_server_enforces_and_sends()
    {
        var document = await _host.Factory.CreateClient().GetNodeAsync("/openapi/v1.json");
        var schemas = document["components"]!["schemas"]!;
        var paths = document["paths"]!;

        var problem = schemas["ProblemDetails"]!["properties"]!;
        Assert.Equal("string", (string)problem["trace_id"]!["type"]!);
        Assert.Equal("array", (string)problem["errors"]!["additionalProperties"]!["type"]!);
        Assert.Equal(["null", "object"], schemas["Execution"]!["properties"]!["metadata"]!["type"]!.AsArray().Select(t => (string)t!).Order());
        Assert.Equal("string", (string)schemas["Execution"]!["properties"]!["started_at"]!["type"]!);
        Assert.Equal("string", (string)schemas["ExecutionStatus"]!["type"]!);
        Assert.Equal("#/components/schemas/AgentConfig", (string)schemas["SettingsView"]!["properties"]!["config"]!["$ref"]!);
        Assert.Contains(schemas["AgentConfig"]!["anyOf"]!.AsArray(), s => (string)s!["$ref"]! == "#/components/schemas/AgentConfig.own-keys");
        Assert.NotNull(schemas["AgentConfig.own-keys"]!["properties"]!["proposal_ttl_hours"]);
        Assert.False((bool)schemas["AgentConfig.mutual-aid-matchmaker"]!["properties"]!["weights"]!["additionalProperties"]!);

        var run = paths["/api/agents/{name}/run"]!["post"]!;
        Assert.NotNull(run["responses"]!["400"]);
        Assert.True((bool)run["responses"]!["202"]!["headers"]!["Location"]!["required"]!);
        Assert.Equal("^[a-z0-9][a-z0-9._-]{0,127}$", (string)run["parameters"]!.AsArray().Single(p => (string)p!["name"]! == "name")!["schema"]!["pattern"]!);
        var settings = paths["/api/agents/{name}/settings"]!["put"]!;
        Assert.Equal("#/components/schemas/SettingsUpdate", (string)settings["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!);
        Assert.NotNull(settings["responses"]!["415"]);
        Assert.NotNull(paths["/api/executions"]!["post"]!["responses"]!["429"]!["headers"]!["Retry-After"]);
        var history = paths["/api/agents/{name}/history"]!["get"]!["parameters"]!.AsArray();
        Assert.Equal(["1h", "1d"], history.Single(p => (string)p!["name"]! == "bucket")!["schema"]!["enum"]!.AsArray().Select(v => (string)v!));
        Assert.NotNull(paths["/health/live"]!["get"]!["responses"]!["200"]!["content"]!["text/plain"]);
        Assert.NotNull(paths["/health/ready"]!["get"]!["responses"]!["503"]);
        Assert.NotNull(paths["/metrics"]!["get"]!["responses"]!["401"]!["content"]!["application/problem+json"]);
    }

    [SkippableFact]
    public async Task A_real_OpenAPI_linter_accepts_the_document()
    {
        var npx = External.Require("npx");
        // Asked for on the default listener's address, as a user gets it (the test server's own host is localhost).
        var client = _host.Factory.CreateClient();
        client.BaseAddress = new Uri("http://127.0.0.1:5080");
        var document = await client.GetStringAsync("/openapi/v1.json");
        var file = Path.Combine(_host.Database.Folder, "openapi.json");
        await File.WriteAllTextAsync(file, document);

        var config = Path.Combine(AppContext.BaseDirectory, "Data", "redocly.yaml");
        var (exit, output) = await External.RunAsync(npx, ["-y", "@redocly/cli@2.77.0", "lint", file, "--config", config, "--format=summary"]);

        Assert.True(exit == 0, output);
        Assert.Contains("valid", output);
        // The recommended ruleset (with the overrides justified in redocly.yaml): no error and no warning.
        Assert.False(System.Text.RegularExpressions.Regex.IsMatch(output, @"(?m)^\s*(error|warning) [a-z0-9-]+: \d+|You have \d+ (error|warning)"), output);
    }

    [Fact]
    public async Task The_docs_page_and_its_script_are_served_locally()
    {
        var client = _host.Factory.CreateClient();
        var page = await client.GetStringAsync("/docs/");
        Assert.Contains("scalar.js", page);
        Assert.DoesNotContain("cdn.", page);
        var script = await client.GetAsync("/docs/scalar.js");
        script.EnsureSuccessStatusCode();
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 100_000);
    }
}
