using System.Net;
using System.Text.Json.Nodes;
using AgentLedger.Server.Cli;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AgentLedger.Tests.Auth;

public sealed class KeyTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly AuthHost _host;

    public KeyTests() => _host = new AuthHost(_db, _time);

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_created_key_is_shown_once_listed_without_its_secret_and_says_who_it_is()
    {
        var created = await _host.CreateKeyAsync("field-reporter", "report", ["field-*", "py-agent"]);
        var key = (string)created["key"]!;
        var id = (string)created["id"]!;
        Assert.Matches("^alk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$", key);
        Assert.Equal($"alk_{id}_", key[..(id.Length + 5)]);
        Assert.Equal("report", (string?)created["role"]);
        Assert.Null(created["expires_at"]);

        using var reporter = _host.Client(key);
        var me = await reporter.GetNodeAsync("/api/auth/whoami");
        Assert.Equal(id, (string?)me["id"]);
        Assert.Equal("field-reporter", (string?)me["name"]);
        Assert.Equal(["field-*", "py-agent"], me["agents"]!.AsArray().Select(a => (string)a!));

        using var admin = _host.Client();
        var listed = (await admin.GetNodeAsync("/api/keys"))["items"]!.AsArray().Single(k => (string?)k!["id"] == id)!;
        Assert.Null(listed["key"]);
        Assert.NotNull(listed["last_used_at"]);
        Assert.Null(listed["revoked_at"]);
        var bootstrap = await admin.GetNodeAsync("/api/auth/whoami");
        Assert.Equal("admin", (string?)bootstrap["role"]);

        // Stored only as an HMAC under the pepper beside the key file: neither the secret nor its plain SHA-256.
        var pepper = Path.Combine(_db.Folder, "key-pepper");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(pepper));
        var secret = key[21..];
        var stored = (string)_db.Query($"SELECT secret_hash FROM api_keys WHERE id = '{id}'")!;
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(File.ReadAllText(pepper).Trim()), System.Text.Encoding.UTF8.GetBytes(secret)));
        Assert.Equal(expected, stored);
        Assert.NotEqual(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret))), stored);

        var audit = (await admin.GetNodeAsync("/api/audit?action=key.create"))["items"]!.AsArray().Single()!;
        Assert.Equal("bootstrap", (string?)audit["key_name"]);
        Assert.Equal("admin", (string?)audit["role"]);
        Assert.Equal(201, (int)audit["status_code"]!);
        Assert.Contains(id, (string?)audit["resource_id"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_key_requests_are_one_400_naming_every_mistake_and_a_taken_name_is_409()
    {
        using var admin = _host.Client();
        var before = _db.Scalar("SELECT COUNT(*) FROM api_keys");
        var response = await admin.PostJsonAsync("/api/keys", new { name = "Bad Name!", role = "owner", agents = new[] { "ok-*", "NO SPACES" }, expires_at = Api.Iso(_time.GetUtcNow().AddDays(-1)) });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadNodeAsync())["errors"]!.AsObject();
        foreach (var field in new[] { "name", "role", "agents[1]", "expires_at" })
        {
            Assert.True(errors.ContainsKey(field), $"{field} not named: {errors.ToJsonString()}");
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostJsonAsync("/api/keys", new { name = "r", role = "report" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostJsonAsync("/api/keys", new { name = "r", role = "read", agents = new[] { "x" } })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostJsonAsync("/api/keys", new { name = "r", role = "read", secret = "mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostJsonAsync("/api/keys/0123456789abcdef/rotate", new { grace_seconds = -1 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostJsonAsync("/api/keys/0123456789abcdef/rotate", new { grace_seconds = 5 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/keys/0123456789abcdef")).StatusCode);
        Assert.Equal(before, _db.Scalar("SELECT COUNT(*) FROM api_keys"));

        await _host.CreateKeyAsync("taken", "read");
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostJsonAsync("/api/keys", new { name = "taken", role = "admin" })).StatusCode);
    }

    [Fact]
    public async Task An_expired_key_is_refused_one_second_after_expires_at_like_an_unknown_one()
    {
        var expiresAt = _time.GetUtcNow().AddHours(1);
        var created = await _host.CreateKeyAsync("short-lived", "read", expiresAt: expiresAt);
        using var client = _host.Client((string)created["key"]!);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/whoami")).StatusCode);

        _time.SetUtcNow(expiresAt.AddSeconds(1));
        var expired = await client.GetAsync("/api/auth/whoami");
        using var unknown = _host.Client("alk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        var refused = await unknown.GetAsync("/api/auth/whoami");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        var same = (await refused.ReadNodeAsync()).AsObject();
        var answer = (await expired.ReadNodeAsync()).AsObject();
        same.Remove("trace_id");
        answer.Remove("trace_id");
        Assert.Equal(same.ToJsonString(), answer.ToJsonString());
    }

    [Fact]
    public async Task Rotation_keeps_the_old_secret_working_until_the_grace_ends()
    {
        var created = await _host.CreateKeyAsync("rotating", "review");
        var old = (string)created["key"]!;
        using var admin = _host.Client();
        var rotated = await admin.PostExpectAsync($"/api/keys/{created["id"]}/rotate", new { grace_seconds = 60 }, 200);
        var fresh = (string)rotated["key"]!;
        Assert.NotEqual(old, fresh);
        Assert.Equal((string?)created["id"], (string?)rotated["id"]);

        using var oldClient = _host.Client(old);
        using var newClient = _host.Client(fresh);
        Assert.Equal(HttpStatusCode.OK, (await oldClient.GetAsync("/api/auth/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await newClient.GetAsync("/api/auth/whoami")).StatusCode);

        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.Unauthorized, (await oldClient.GetAsync("/api/auth/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await newClient.GetAsync("/api/auth/whoami")).StatusCode);

        var audit = (await admin.GetNodeAsync("/api/audit?action=key.rotate"))["items"]!.AsArray().Single()!;
        Assert.Equal((string?)created["id"], (string?)audit["resource_id"]);
        Assert.Equal("bootstrap", (string?)audit["key_name"]);
    }

    [Fact]
    public async Task Last_used_is_written_at_most_once_a_minute()
    {
        var created = await _host.CreateKeyAsync("busy", "read");
        using var client = _host.Client((string)created["key"]!);
        await client.GetNodeAsync("/api/auth/whoami");
        var first = _db.Query($"SELECT last_used_at FROM api_keys WHERE id = '{created["id"]}'")?.ToString();
        Assert.False(string.IsNullOrEmpty(first));
        _time.Advance(TimeSpan.FromSeconds(30));
        await client.GetNodeAsync("/api/auth/whoami");
        Assert.Equal(first, _db.Query($"SELECT last_used_at FROM api_keys WHERE id = '{created["id"]}'")?.ToString());
        _time.Advance(TimeSpan.FromSeconds(31));
        await client.GetNodeAsync("/api/auth/whoami");
        Assert.NotEqual(first, _db.Query($"SELECT last_used_at FROM api_keys WHERE id = '{created["id"]}'")?.ToString());
    }

    [Fact]
    public async Task A_revoked_key_is_refused_on_the_next_request_on_another_node()
    {
        using var other = new AuthHost(_db, _time, node: "node-b");
        var created = await _host.CreateKeyAsync("two-nodes", "admin");
        using var onB = other.Client((string)created["key"]!);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/auth/whoami")).StatusCode);

        using var admin = _host.Client();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/keys/{created["id"]}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await onB.GetAsync("/api/auth/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onB.PutJsonAsync("/api/agents/scripted/settings", new { interval_seconds = 60 })).StatusCode);
        var listed = (await admin.GetNodeAsync("/api/keys"))["items"]!.AsArray().Single(k => (string?)k!["id"] == (string?)created["id"])!;
        Assert.NotNull(listed["revoked_at"]);
        var audit = (await admin.GetNodeAsync("/api/audit?action=key.revoke"))["items"]!.AsArray().Single()!;
        Assert.Equal(204, (int)audit["status_code"]!);
        Assert.Equal((string?)created["id"], (string?)audit["resource_id"]);
    }

    [Fact]
    public async Task Nodes_starting_at_once_on_one_data_folder_share_one_pepper()
    {
        var folder = Path.Combine(_db.Folder, "race");
        var hashes = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => new AgentLedger.Server.Auth.KeyHasher(folder).Hash("secret"))));
        Assert.Single(hashes.Distinct());
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }

    [Fact]
    public async Task Nodes_with_separate_data_folders_accept_the_same_keys_when_they_share_a_configured_pepper()
    {
        var pepper = new Dictionary<string, string?> { ["AgentLedger:Auth:Pepper"] = "a-shared-pepper-of-enough-length-0123456789" };
        using var first = new AuthHost(_db, _time, new Dictionary<string, string?>(pepper) { ["AgentLedger:DataFolder"] = Path.Combine(_db.Folder, "node-1") }, node: "node-1");
        using var second = new AuthHost(_db, _time, new Dictionary<string, string?>(pepper) { ["AgentLedger:DataFolder"] = Path.Combine(_db.Folder, "node-2") }, node: "node-2");
        var created = await first.CreateKeyAsync("shared", "read");
        using var client = second.Client((string)created["key"]!);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/whoami")).StatusCode);
        Assert.False(File.Exists(Path.Combine(_db.Folder, "node-2", "key-pepper")));
    }

    [Fact]
    public async Task The_cli_creates_lists_and_revokes_keys_and_prints_the_audit_log()
    {
        var output = new StringWriter();
        Assert.Equal(0, await AdminCli.RunAsync(["keys", "create", "--name", "cli-made", "--role", "report", "--agents", "field-*,py-agent", "--expires", "90d", .. _db.CliArgs()], output));
        var key = output.ToString().TrimEnd().Split('\n')[^1].Trim();
        Assert.Matches("^alk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$", key);
        using var client = _host.Client(key);
        var me = await client.GetNodeAsync("/api/auth/whoami");
        Assert.Equal("cli-made", (string?)me["name"]);
        Assert.Equal(["field-*", "py-agent"], me["agents"]!.AsArray().Select(a => (string)a!));

        var list = new StringWriter();
        Assert.Equal(0, await AdminCli.RunAsync(["keys", "list", .. _db.CliArgs()], list));
        Assert.Contains("cli-made", list.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(key[21..], list.ToString(), StringComparison.Ordinal);

        Assert.Equal(0, await AdminCli.RunAsync(["keys", "revoke", (string)me["id"]!, .. _db.CliArgs()], new StringWriter()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/whoami")).StatusCode);
        Assert.Equal(2, await AdminCli.RunAsync(["keys", "create", "--name", "x", "--role", "owner", .. _db.CliArgs()], new StringWriter()));

        // The archive (90-day retention of runs) leaves the audit log alone.
        var rows = _db.Scalar("SELECT COUNT(*) FROM audit_log");
        Assert.Equal(0, await AdminCli.RunAsync(["archive", .. _db.CliArgs(), "--AgentLedger:RawRetentionDays=1"], new StringWriter()));
        Assert.Equal(rows, _db.Scalar("SELECT COUNT(*) FROM audit_log"));

        var audit = new StringWriter();
        Assert.Equal(0, await AdminCli.RunAsync(["audit", "--since", "7d", .. _db.CliArgs()], audit));
        Assert.Contains("key.create", audit.ToString(), StringComparison.Ordinal);
        Assert.Contains("key.revoke", audit.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(key[21..], audit.ToString(), StringComparison.Ordinal);
    }
}
