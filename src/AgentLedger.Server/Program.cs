using AgentLedger.Server;

var builder = WebApplication.CreateBuilder(args);
builder.AddAgentLedger();
var app = builder.Build();
app.UseAgentLedger();
await app.RunAsync();

/// <summary>Entry point; public so integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
