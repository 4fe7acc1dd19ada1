using AgentLedger.Core.Agents;
using AgentLedger.Server;
using AgentLedger.TestHost.Contract;

namespace AgentLedger.TestHost;

public static class TestHostProgram
{
    /// <summary>Set by the tests' process launcher: the host ends itself when its parent (the test run) is gone.</summary>
    public const string ExitWithParentVariable = "AGENTLEDGER_TEST_EXIT_WITH_PARENT";

    public static async Task<int> Main(string[] args)
    {
        if (Environment.GetEnvironmentVariable(ExitWithParentVariable) == "1")
        {
            ExitWhenStandardInputCloses();
        }
        var builder = WebApplication.CreateBuilder(args);
        builder.AddAgentLedger();
        foreach (var name in ScriptedAgents.Names)
        {
            builder.Services.AddSingleton<IAgent>(new ScriptedAgent(name));
        }
        builder.Services.AddContractValidation();
        var app = builder.Build();
        app.UseAgentLedger();
        return await app.RunLedgerAsync();
    }

    /// <summary>
    /// The launcher holds the write end of this process's standard input. However the launcher
    /// ends (disposed, crashed, killed), the kernel closes that end and the read here returns 0:
    /// no polling, no pid reuse, no orphan left running its scheduler against a dropped database.
    /// </summary>
    private static void ExitWhenStandardInputCloses() =>
        new Thread(() =>
        {
            using var input = Console.OpenStandardInput();
            var buffer = new byte[256];
            while (input.Read(buffer) > 0)
            {
            }
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        })
        { IsBackground = true, Name = "exit-with-parent" }.Start();
}

public static class ScriptedAgents
{
    /// <summary>The fault tests need twenty agents in flight at once on one node (one run per agent per node).</summary>
    public static readonly string[] Workers = [.. Enumerable.Range(1, 20).Select(i => $"worker-{i:00}")];

    public static readonly string[] Names = ["scripted", "scripted-b", "idle", .. Workers];
}
