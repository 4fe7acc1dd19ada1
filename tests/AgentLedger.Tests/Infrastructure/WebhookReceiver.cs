using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentLedger.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on a loopback port that records every webhook it receives and answers with
/// the next status of a script (then 200 for ever).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _script;
    private readonly TimeProvider _clock;

    public sealed record Received(JsonNode Body, IReadOnlyDictionary<string, string> Headers, DateTimeOffset At, int AnsweredWith);

    public ConcurrentQueue<Received> Requests { get; } = new();

    private WebhookReceiver(TimeProvider clock, IEnumerable<int> script)
    {
        _clock = clock;
        _script = new ConcurrentQueue<int>(script);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hooks/{token}", async (HttpRequest request) =>
        {
            var body = JsonNode.Parse(await new StreamReader(request.Body).ReadToEndAsync())!;
            var status = _script.TryDequeue(out var next) ? next : 200;
            Requests.Enqueue(new Received(body, request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), _clock.GetUtcNow(), status));
            return Results.StatusCode(status);
        });
    }

    /// <summary>Where alerts should go; the path holds a token, as real webhook URLs do.</summary>
    public string Url { get; private set; } = "";

    public string Authority => new Uri(Url).GetLeftPart(UriPartial.Authority);

    public static async Task<WebhookReceiver> StartAsync(TimeProvider clock, params int[] script)
    {
        var receiver = new WebhookReceiver(clock, script);
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Url = $"{address}/hooks/s3cr3t-token";
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
