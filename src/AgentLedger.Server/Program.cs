using AgentLedger.Server;
using AgentLedger.Server.Cli;

if (AdminCli.Handles(args))
{
    return await AdminCli.RunAsync(args, Console.Out);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddAgentLedger();
var app = builder.Build();
app.UseAgentLedger();
return await app.RunLedgerAsync();

/// <summary>Entry point; public so integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
