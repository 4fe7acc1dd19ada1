using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AgentLedger.Tests.Auth;

/// <summary>The real server on a real socket (Kestrel), over a test database; every log line it writes is kept.</summary>
public sealed class AuthHost : IDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    public AuthHost(TestDatabase database, FakeTimeProvider? time = null, IReadOnlyDictionary<string, string?>? settings = null, IPAddress? listen = null, string node = "test-node")
    {
        var all = new Dictionary<string, string?> { ["AgentLedger:Auth:FailuresPerMinute"] = "100000" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        _factory = new LedgerFactory(database, time, node, all).WithWebHostBuilder(b => b.ConfigureLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Trace);
            logging.AddProvider(new CapturingLoggerProvider(Logs));
        }));
        _factory.UseKestrel(kestrel => kestrel.Listen(listen ?? IPAddress.Loopback, 0));
        _factory.StartServer();
        var address = new Uri(_factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        Port = address.Port;
        Address = new Uri($"http://127.0.0.1:{Port}");
    }

    public ConcurrentQueue<string> Logs { get; } = new();

    public Uri Address { get; }

    public int Port { get; }

    public IServiceProvider Services => _factory.Services;

    /// <summary>A client on a socket; <paramref name="key"/> is sent as X-Api-Key when given.</summary>
    public HttpClient Client(string? key = LedgerFactory.ApiKey)
    {
        var client = new HttpClient(new ContractCheckingHandler(new SocketsHttpHandler())) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }
        return client;
    }

    /// <summary>Creates a named key with the bootstrap admin key; returns the create answer (with <c>key</c>).</summary>
    public async Task<JsonNode> CreateKeyAsync(string name, string role, string[]? agents = null, DateTimeOffset? expiresAt = null)
    {
        using var admin = Client();
        var body = new JsonObject { ["name"] = name, ["role"] = role };
        if (agents is not null)
        {
            body["agents"] = new JsonArray(agents.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray());
        }
        if (expiresAt is { } e)
        {
            body["expires_at"] = Api.Iso(e);
        }
        return await admin.PostExpectAsync("/api/keys", body.ToJsonString(), 201);
    }

    public async Task<string> KeyAsync(string name, string role, params string[] agents) =>
        (string)(await CreateKeyAsync(name, role, agents.Length == 0 ? null : agents))["key"]!;

    public void Dispose() => _factory.Dispose();

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(sink, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
