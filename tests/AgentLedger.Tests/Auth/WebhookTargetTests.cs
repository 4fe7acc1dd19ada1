using System.Net;
using AgentLedger.Server.Auth;
using AgentLedger.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentLedger.Tests.Auth;

public sealed class WebhookTargetTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly AuthHost _host;

    public WebhookTargetTests() => _host = new AuthHost(_db, settings: new Dictionary<string, string?> { ["AgentLedger:Alerts:AllowPrivateTargets"] = "false" });

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/hooks/x")]
    [InlineData("http://localhost/hooks/x")]
    [InlineData("http://[::1]/hooks/x")]
    [InlineData("http://10.1.2.3/hooks/x")]
    [InlineData("https://192.168.0.10/hooks/x")]
    [InlineData("http://172.20.0.1/hooks/x")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[fe80::1]/hooks/x")]
    [InlineData("ftp://hooks.example.org/x")]
    public async Task Only_admins_set_webhooks_and_inward_or_non_http_targets_are_refused(string url)
    {
        using var admin = _host.Client();
        var before = _db.RowCounts();
        var response = await admin.PutJsonAsync("/api/agents/scripted/settings", new { config = new { alert_webhook_url = url } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.NotNull((await response.ReadNodeAsync())["errors"]!["config.alert_webhook_url"]);
        Assert.Equal(before, _db.RowCounts());

        using var reviewer = _host.Client(await _host.KeyAsync($"reviewer-{Math.Abs(url.GetHashCode(StringComparison.Ordinal))}", "review"));
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.PutJsonAsync("/api/agents/scripted/settings", new { config = new { alert_webhook_url = "https://hooks.example.org/x" } })).StatusCode);
        (await admin.PutJsonAsync("/api/agents/scripted/settings", new { config = new { alert_webhook_url = "https://hooks.example.org/x" } })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_refused_target_is_named_with_every_other_mistake()
    {
        using var admin = _host.Client();
        var response = await admin.PutJsonAsync("/api/agents/scripted/settings", new { interval_seconds = 0, config = new { alert_webhook_url = "http://10.0.0.1/x" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await response.ReadNodeAsync())["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("interval_seconds") && errors.ContainsKey("config.alert_webhook_url"), errors.ToJsonString());
        Assert.Contains("AllowPrivateTargets", (string?)errors["config.alert_webhook_url"]![0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_webhook_transport_refuses_names_resolving_inward_and_follows_no_redirect()
    {
        await using var receiver = await WebhookReceiver.StartAsync(TimeProvider.System);
        var byName = receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

        using var guarded = new HttpClient(WebhookTargets.Handler(allowPrivate: false));
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => guarded.PostAsync(byName, new StringContent("{}")));
        Assert.Contains("private", refused.Message, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var redirector = builder.Build();
        redirector.MapPost("/go", () => Results.Redirect(receiver.Url, preserveMethod: true));
        await redirector.StartAsync();
        var address = redirector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        using var allowed = new HttpClient(WebhookTargets.Handler(allowPrivate: true));
        var redirect = await allowed.PostAsync($"{address}/go", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
        Assert.Empty(receiver.Requests);
        Assert.Equal(HttpStatusCode.OK, (await allowed.PostAsync(byName, new StringContent("{}"))).StatusCode);
        Assert.Single(receiver.Requests);
    }

    [Theory]
    [InlineData("8.8.8.8", false)]
    [InlineData("100.63.255.255", false)]
    [InlineData("100.64.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("2001:db8::1", false)]
    public void Private_addresses_are_recognised(string address, bool isPrivate) =>
        Assert.Equal(isPrivate, WebhookTargets.IsPrivate(IPAddress.Parse(address)));
}
