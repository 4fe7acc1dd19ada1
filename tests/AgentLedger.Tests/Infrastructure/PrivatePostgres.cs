using System.Text.RegularExpressions;

namespace AgentLedger.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of a test's own (scripts/postgres.sh on a free port), so the test can take it
/// away (an outage: stopped with its data kept) and bring it back; stopped and removed on dispose.
/// </summary>
public sealed partial class PrivatePostgres : IAsyncDisposable
{
    private readonly string _script;
    private readonly string _root;

    private PrivatePostgres(string script, string root, int port)
    {
        _script = script;
        _root = root;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=3;Command Timeout=10";
    }

    public string ConnectionString { get; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "postgres.sh");
        // A port the OS has just handed out as free: a fixed or random one in 56000–56900 sits inside Linux's
        // ephemeral range, where the suite's own outgoing connections can hold it (pg_ctl: could not start server).
        var port = FreePort();
        var (exitCode, output) = await External.RunAsync("bash", ["-c", $"AGENTLEDGER_PG_PORT={port} bash {script} start"]);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"PostgreSQL did not start:\n{output}");
        }
        return new PrivatePostgres(script, RootPattern().Match(output).Groups[1].Value, port);
    }

    public Task PauseAsync() => ControlAsync("pause");

    public Task ResumeAsync() => ControlAsync("resume");

    public async ValueTask DisposeAsync() => await External.RunAsync("bash", [_script, "stop", _root]);

    private async Task ControlAsync(string action)
    {
        var (exitCode, output) = await External.RunAsync("bash", [_script, action, _root]);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"postgres.sh {action} failed:\n{output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgentLedger.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("the repository root was not found");
    }

    [GeneratedRegex("PGROOT=(\\S+)")]
    private static partial Regex RootPattern();
}
