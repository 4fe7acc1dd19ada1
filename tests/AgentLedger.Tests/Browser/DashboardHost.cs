using System.Net;
using AgentLedger.TestHost;
using AgentLedger.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace AgentLedger.Tests.Browser;

/// <summary>
/// The real server (<see cref="LedgerFactory"/>: real database, scripted agents and the built-in
/// ones) on a real loopback socket, so a real browser can load the dashboard from it.
/// </summary>
public sealed class DashboardHost : IDisposable
{
    private readonly LedgerFactory _ledger;
    private readonly WebApplicationFactory<Program> _factory;

    /// <param name="demo">The demo community and its built-in agents instead of the scripted test agents.</param>
    /// <param name="settings">Configuration on top of the test host's, e.g. <c>AgentLedger:Alerts:CheckSeconds</c>.</param>
    public DashboardHost(bool demo = false, IReadOnlyDictionary<string, string?>? settings = null)
    {
        Database = new TestDatabase();
        _ledger = new LedgerFactory(Database, settings: settings);
        _factory = demo ? _ledger.WithWebHostBuilder(b =>
        {
            b.UseSetting("AgentLedger:Demo", "true");
            // The demo as `dotnet run` shows it: the built-in agents, without the scripted test agents.
            b.ConfigureTestServices(services =>
            {
                foreach (var scripted in services.Where(d => d.ImplementationInstance is ScriptedAgent).ToList())
                {
                    services.Remove(scripted);
                }
            });
        }) : _ledger;
        _factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("Kestrel did not report its addresses.");
        Address = new Uri(addresses.Addresses.Single());
        Api = new HttpClient(new ContractCheckingHandler(new SocketsHttpHandler())) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        Api.DefaultRequestHeaders.Add("X-Api-Key", LedgerFactory.ApiKey);
    }

    public TestDatabase Database { get; }

    public Uri Address { get; }

    /// <summary>An HTTP client of the same server that sends the API key.</summary>
    public HttpClient Api { get; }

    public void Dispose()
    {
        Api.Dispose();
        if (!ReferenceEquals(_factory, _ledger))
        {
            _factory.Dispose();
        }
        _ledger.Dispose();
        Database.Dispose();
    }
}
