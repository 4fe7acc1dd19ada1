using System.Text.Json.Nodes;
using AgentLedger.Tests.Browser;
using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.Operations;

/// <summary>
/// A TypeScript client generated from the served document (@hey-api/openapi-ts) compiles under
/// <c>tsc --strict</c>, reports a run and reads stats from a real server; a wrong enum value does not compile.
/// </summary>
public sealed class GeneratedClientTests : IDisposable
{
    private const string Marker = "status: 'success', // status-under-test";
    private static readonly TimeSpan NpxTimeout = TimeSpan.FromMinutes(4);

    private readonly DashboardHost _host = new();

    public void Dispose() => _host.Dispose();

    [SkippableFact]
    public async Task A_client_generated_from_the_document_reports_a_run_and_reads_stats_and_refuses_a_wrong_enum()
    {
        var npx = External.Require("npx");
        var node = External.Require("node");
        var folder = Path.Combine(_host.Database.Folder, "ts-client");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Data", "GeneratedClient")))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }
        var document = Path.Combine(folder, "openapi.json");
        await File.WriteAllTextAsync(document, await _host.Api.GetStringAsync("/openapi/v1.json"));

        var (generated, generateOutput) = await External.RunAsync(npx,
            ["-y", "-p", "typescript@6", "-p", "@hey-api/openapi-ts@0.99.0", "openapi-ts", "-i", document, "-o", Path.Combine(folder, "gen")],
            timeout: NpxTimeout, workingDirectory: folder);
        Assert.True(generated == 0, generateOutput);

        var (compiled, compileOutput) = await Tsc(npx, folder, "tsconfig.json");
        Assert.True(compiled == 0, compileOutput);

        var (ran, runOutput) = await External.RunAsync(node, [Path.Combine(folder, "out", "main.js")], timeout: TimeSpan.FromMinutes(1), workingDirectory: folder,
            environment: new Dictionary<string, string> { ["LEDGER_URL"] = _host.Address.ToString().TrimEnd('/'), ["LEDGER_KEY"] = LedgerFactory.ApiKey });
        Assert.True(ran == 0, runOutput);
        var printed = JsonNode.Parse(runOutput.Trim().Split('\n')[^1])!;
        Assert.Equal("success", (string)printed["status"]!);
        Assert.Equal(1, (int)printed["runs"]!);
        Assert.Equal(1_500, (double)printed["p50"]!);
        var stored = await _host.Api.GetNodeAsync($"/api/executions/{(string)printed["id"]!}");
        Assert.Equal("ts-client", (string)stored["agent_name"]!);

        // The same program with a status the document's enum does not have must not compile.
        var source = await File.ReadAllTextAsync(Path.Combine(folder, "main.ts"));
        Assert.Contains(Marker, source);
        await File.WriteAllTextAsync(Path.Combine(folder, "main.ts"), source.Replace(Marker, "status: 'succeeded',", StringComparison.Ordinal));
        var (wrong, wrongOutput) = await Tsc(npx, folder, "tsconfig.json");
        Assert.NotEqual(0, wrong);
        Assert.Contains("error TS2322", wrongOutput);
        Assert.Contains("succeeded", wrongOutput);
    }

    private static Task<(int ExitCode, string Output)> Tsc(string npx, string folder, string project) =>
        External.RunAsync(npx, ["-y", "-p", "typescript@6", "tsc", "-p", Path.Combine(folder, project)], timeout: NpxTimeout, workingDirectory: folder);
}
