using AgentLedger.Core.Agents;
using AgentLedger.TestHost;
using AgentLedger.TestHost.Contract;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AgentLedger.Tests.Infrastructure;

/// <summary>
/// The real server (Program) on a real SQLite file in a temp folder, with the scripted test agents.
/// Several factories over the same <see cref="TestDatabase"/> model a restart of the process.
/// </summary>
public sealed class LedgerFactory(TestDatabase database, FakeTimeProvider? time = null, string node = "test-node", IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-api-key-123";

    public TestDatabase Database => database;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Test output shows the tests' own figures; the hosts speak up only about problems.
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.UseSetting("AgentLedger:Database:Provider", TestDatabase.Provider);
        builder.UseSetting("AgentLedger:Database:ConnectionString", database.ConnectionString);
        builder.UseSetting("AgentLedger:Database:Synchronous", "NORMAL");
        builder.UseSetting("AgentLedger:ApiKey", ApiKey);
        builder.UseSetting("AgentLedger:DataFolder", database.Folder);
        builder.UseSetting("AgentLedger:Node", node);
        // Test webhook receivers listen on loopback, which production refuses by default.
        builder.UseSetting("AgentLedger:Alerts:AllowPrivateTargets", "true");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services =>
        {
            services.AddContractValidation();
            foreach (var name in ScriptedAgents.Names)
            {
                services.AddSingleton<IAgent>(new ScriptedAgent(name));
            }
            if (time is not null)
            {
                services.AddSingleton<TimeProvider>(time);
            }
        });
    }

    /// <summary>A client of the test server whose calls throw on an answer the OpenAPI document does not allow.</summary>
    public new HttpClient CreateClient()
    {
        // As the base CreateClient builds it (redirects, cookies), with the contract check outermost.
        return CreateDefaultClient(ClientOptions.BaseAddress, new ContractCheckingHandler(), new RedirectHandler(), new CookieContainerHandler());
    }

    /// <summary>A client that sends the API key.</summary>
    public HttpClient CreateAuthorizedClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }
}
