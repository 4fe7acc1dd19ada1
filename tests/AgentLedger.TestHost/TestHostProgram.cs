using AgentLedger.Core.Agents;
using AgentLedger.Server;

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
        var app = builder.Build();
        app.UseAgentLedger();
        await app.RunAsync();
    }
}

public static class ScriptedAgents
{
    public static readonly string[] Names = ["scripted", "scripted-b", "idle"];
}
