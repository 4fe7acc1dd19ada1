using AgentLedger.Core.Agents;
using AgentLedger.Server;
using AgentLedger.TestHost.Contract;

namespace AgentLedger.TestHost;

public static class TestHostProgram
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddAgentLedger();
        foreach (var name in ScriptedAgents.Names)
        {
            builder.Services.AddSingleton<IAgent>(new ScriptedAgent(name));
        }
        builder.Services.AddContractValidation();
        var app = builder.Build();
        app.UseAgentLedger();
        await app.RunAsync();
    }
}

public static class ScriptedAgents
{
    /// <summary>The fault tests need twenty agents in flight at once on one node (one run per agent per node).</summary>
    public static readonly string[] Workers = [.. Enumerable.Range(1, 20).Select(i => $"worker-{i:00}")];

    public static readonly string[] Names = ["scripted", "scripted-b", "idle", .. Workers];
}
