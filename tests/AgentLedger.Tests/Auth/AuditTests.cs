using System.Net;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AgentLedger.Tests.Auth;

public sealed class AuditTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly AuthHost _host;

    public AuditTests() => _host = new AuthHost(_db, _time);

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task The_audit_log_is_for_admins_newest_first_filtered_and_paged()
    {
        var start = _time.GetUtcNow();
        foreach (var name in new[] { "one", "two", "three" })
        {
            await _host.CreateKeyAsync(name, "read");
            _time.Advance(TimeSpan.FromMinutes(10));
        }
        using var ops = _host.Client(await _host.KeyAsync("ops", "admin"));
        (await ops.PutJsonAsync("/api/agents/scripted/settings", new { enabled = false })).EnsureSuccessStatusCode();

        using var admin = _host.Client();
        var first = await admin.GetNodeAsync("/api/audit?action=key.create&limit=2");
        var page = first["items"]!.AsArray();
        Assert.Equal(2, page.Count);
        Assert.Contains("ops", (string?)page[0]!["resource_id"], StringComparison.Ordinal);
        Assert.Contains("three", (string?)page[1]!["resource_id"], StringComparison.Ordinal);
        var rest = await admin.GetNodeAsync($"/api/audit?action=key.create&limit=2&cursor={first["next_cursor"]}");
        Assert.Equal(2, rest["items"]!.AsArray().Count);
        Assert.Null(rest["next_cursor"]);

        var byOps = (await admin.GetNodeAsync("/api/audit?key=ops"))["items"]!.AsArray();
        Assert.Equal("settings.update", (string?)Assert.Single(byOps)!["action"]);
        var window = (await admin.GetNodeAsync($"/api/audit?from={Api.Iso(start.AddMinutes(5))}&to={Api.Iso(start.AddMinutes(15))}"))["items"]!.AsArray();
        Assert.Contains("two", (string?)Assert.Single(window)!["resource_id"], StringComparison.Ordinal);

        var bad = await admin.GetAsync("/api/audit?action=key.delete&limit=0&from=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.ReadNodeAsync())["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("action") && errors.ContainsKey("limit") && errors.ContainsKey("from"), errors.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/audit?cursor=nonsense")).StatusCode);

        using var reviewer = _host.Client(await _host.KeyAsync("reviewer", "review"));
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.GetAsync("/api/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.GetAsync("/api/keys")).StatusCode);
    }
}
