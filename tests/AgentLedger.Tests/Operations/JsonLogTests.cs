using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.Operations;

public sealed class JsonLogTests
{
    [Fact]
    public async Task Json_logs_carry_the_execution_id_on_the_lines_of_a_run()
    {
        using var db = new TestDatabase();
        using var server = await ServerProcess.StartAsync(db, settings: new Dictionary<string, string> { ["LogFormat"] = "json" });
        (await server.Client.SetConfigAsync("scripted", new { config = new { log = "hello from the agent" } })).EnsureSuccessStatusCode();

        var run = await server.Client.PostExpectAsync("/api/agents/scripted/run?wait=true", new { }, 200);

        JsonNode? line = null;
        for (var i = 0; i < 50 && line is null; i++)
        {
            await Task.Delay(100);
            line = server.Log.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)).FirstOrDefault(l => ((string?)l?["Message"])?.Contains("hello from the agent", StringComparison.Ordinal) == true);
        }
        Assert.True(line is not null, server.Log);
        Assert.Equal("Warning", (string?)line!["LogLevel"]);
        var scopes = line["Scopes"]!.AsArray();
        Assert.Contains(scopes, s => (string?)s?["execution_id"] == (string?)run["id"] && (string?)s?["agent"] == "scripted");
    }
}
