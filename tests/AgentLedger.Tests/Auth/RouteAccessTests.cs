using System.Net;
using System.Text.RegularExpressions;
using AgentLedger.Server.Auth;
using AgentLedger.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AgentLedger.Tests.Auth;

/// <summary>A walk over every endpoint the host maps: each declares its minimum role, and each mutating one refuses below it.</summary>
public sealed partial class RouteAccessTests : IDisposable
{
    private const string UnknownKey = "alk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    private readonly TestDatabase _db = new();
    private readonly AuthHost _host;

    public RouteAccessTests() => _host = new AuthHost(_db);

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    private IReadOnlyList<RouteEndpoint> Endpoints() =>
        _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

    [Fact]
    public void Every_endpoint_declares_its_minimum_role()
    {
        var endpoints = Endpoints();
        Assert.True(endpoints.Count >= 40, $"only {endpoints.Count} endpoints found");
        var undeclared = endpoints.Where(e => e.Metadata.GetMetadata<RequiredAccess>() is null).Select(e => e.DisplayName ?? e.RoutePattern.RawText).ToList();
        Assert.True(undeclared.Count == 0, "no minimum role declared: " + string.Join(", ", undeclared));

        Assert.Equal(AccessLevel.Open, Level("GET", "/health/live"));
        Assert.Equal(AccessLevel.Read, Level("GET", "/api/agents"));
        Assert.Equal(AccessLevel.Report, Level("POST", "/api/executions"));
        Assert.Equal(AccessLevel.Review, Level("POST", "/api/proposals/{id:guid}/approve"));
        Assert.Equal(AccessLevel.Admin, Level("PUT", "/api/agents/{name}/settings"));
        Assert.Equal(AccessLevel.Admin, Level("POST", "/api/agents/{name}/run"));
        Assert.Equal(AccessLevel.Admin, Level("GET", "/api/audit"));
        Assert.Equal(AccessLevel.AnyKey, Level("GET", "/api/auth/whoami"));
    }

    [Fact]
    public async Task Every_mutating_endpoint_answers_401_for_bad_keys_and_403_for_each_role_below_its_minimum()
    {
        var keys = new Dictionary<string, string>
        {
            ["read"] = await _host.KeyAsync("walk-read", "read"),
            ["review"] = await _host.KeyAsync("walk-review", "review"),
            ["report"] = await _host.KeyAsync("walk-report", "report", "*"),
        };
        var revoked = await _host.CreateKeyAsync("walk-revoked", "admin");
        using (var admin = _host.Client())
        {
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/keys/{revoked["id"]}")).StatusCode);
        }
        var before = _db.RowCounts([.. TestDatabase.LedgerTables, "api_keys", "commons_locations", "commons_listings"]);

        var mutating = Endpoints()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Endpoint: e, Method: m)))
            .Where(e => e.Method is not ("GET" or "HEAD"))
            .ToList();
        Assert.True(mutating.Count >= 20, $"only {mutating.Count} mutating endpoints");
        foreach (var (endpoint, method) in mutating)
        {
            var level = endpoint.Metadata.GetMetadata<RequiredAccess>()!.Level;
            Assert.True(level >= AccessLevel.Report, $"{method} {endpoint.RoutePattern.RawText} changes state with access {level}");
            var url = Url(endpoint.RoutePattern.RawText!);
            foreach (var key in new[] { null, "nonsense", UnknownKey, (string)revoked["key"]! })
            {
                var response = await SendAsync(method, url, key);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {url} with key '{key?[..Math.Min(key.Length, 12)]}' -> {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
            foreach (var role in Below(level))
            {
                var response = await SendAsync(method, url, keys[role]);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {url} with a {role} key -> {(int)response.StatusCode}");
                var problem = await response.ReadNodeAsync();
                Assert.Contains(role, (string?)problem["detail"], StringComparison.Ordinal);
            }
        }
        Assert.Equal(before, _db.RowCounts([.. TestDatabase.LedgerTables, "api_keys", "commons_locations", "commons_listings"]));

        // A refused key is audited, at most once a minute per client address.
        using var audit = _host.Client();
        var denied = (await audit.GetNodeAsync("/api/audit?action=auth.denied&limit=500"))["items"]!.AsArray();
        Assert.Contains(denied, d => (int)d!["status_code"]! == 401 && (string?)d["remote_address"] == "127.0.0.1");
        Assert.Contains(denied, d => (int)d!["status_code"]! == 403 && (string?)d["key_name"] == "walk-read");
        Assert.True(denied.Count <= 4, $"{denied.Count} auth.denied rows: refusals are audited at most once a minute per address and key");
    }

    private AccessLevel Level(string method, string route) => Endpoints()
        .Single(e => e.RoutePattern.RawText!.TrimEnd('/') == route && (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Contains(method) ?? method == "GET"))
        .Metadata.GetMetadata<RequiredAccess>()!.Level;

    private static string[] Below(AccessLevel level) => level switch
    {
        AccessLevel.Admin => ["read", "review", "report"],
        AccessLevel.Review => ["read", "report"],
        AccessLevel.Report => ["read", "review"],
        _ => [],
    };

    private static string Url(string pattern) => RouteParameter().Replace(pattern.TrimEnd('/'), m => m.Value.StartsWith("{name", StringComparison.Ordinal) ? "scripted" : "00000000-0000-0000-0000-000000000001");

    private async Task<HttpResponseMessage> SendAsync(string method, string url, string? key)
    {
        using var client = _host.Client(key: null);
        var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = Api.Json(new { agent_name = "walk", status = "success" }) };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Api-Key", key);
        }
        return await client.SendAsync(request);
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}
