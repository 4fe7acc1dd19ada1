using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AgentLedger.Tests.Infrastructure;

/// <summary>
/// AgentLedger (the TestHost build, with the scripted agents) as a real OS process on a loopback
/// port, so a test can kill it the way a crash would.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();

    private ServerProcess(Process process, Uri address, string node)
    {
        _process = process;
        Node = node;
        Address = address;
        Client = new HttpClient(new ContractCheckingHandler(new SocketsHttpHandler())) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Add("X-Api-Key", LedgerFactory.ApiKey);
    }

    public Uri Address { get; }

    public string Node { get; }

    public HttpClient Client { get; }

    public static async Task<ServerProcess> StartAsync(TestDatabase database, string node = "test-node", IReadOnlyDictionary<string, string>? settings = null)
    {
        var server = Launch(database, node, settings);
        try
        {
            await server.WaitReadyAsync();
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    /// <summary>
    /// Nodes started at the same instant. If any fails to come up, the others are ended before the
    /// failure is thrown: a node left running would schedule against a database the test drops.
    /// </summary>
    public static async Task<ServerProcess[]> StartManyAsync(TestDatabase database, IEnumerable<string> nodes, IReadOnlyDictionary<string, string>? settings = null)
    {
        var starts = nodes.Select(node => StartAsync(database, node, settings)).ToList();
        try
        {
            return await Task.WhenAll(starts);
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                (await start).Dispose();
            }
            throw;
        }
    }

    /// <summary>Starts the process without waiting for it to be ready (for tests of a process that must refuse to start).</summary>
    public static ServerProcess Launch(TestDatabase database, string node = "test-node", IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "AgentLedger.TestHost.dll");
        var info = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = database.Folder,
            RedirectStandardInput = true,   // the child ends itself when this end closes (see TestHostProgram)
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        info.Environment[AgentLedger.TestHost.TestHostProgram.ExitWithParentVariable] = "1";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["AgentLedger__Database__Provider"] = TestDatabase.Provider;
        info.Environment["AgentLedger__Database__ConnectionString"] = database.ConnectionString;
        info.Environment["AgentLedger__Database__Synchronous"] = "NORMAL";
        info.Environment["AgentLedger__ApiKey"] = LedgerFactory.ApiKey;
        info.Environment["AgentLedger__DataFolder"] = database.Folder;
        info.Environment["AgentLedger__Node"] = node;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            info.Environment["AgentLedger__" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the server process");
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"), node);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>The exit code, once the process has ended by itself within the timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string Log => string.Join('\n', _log);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _log.Enqueue(line);
        while (_log.Count > 200 && _log.TryDequeue(out _))
        {
        }
    }

    /// <summary>SIGKILL: no shutdown hooks run, exactly like a crash or an OOM kill.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        _process.Dispose();
        Client.Dispose();
    }

    private const int ReadySeconds = 150;

    private async Task WaitReadyAsync()
    {
        // A bound for a start-up that hangs, not a speed test: four nodes starting at once on a
        // loaded 2-core machine took 50 s to be ready (load average 24), so 60 s was too close.
        var deadline = DateTime.UtcNow.AddSeconds(ReadySeconds);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the server process exited with code {_process.ExitCode}:\n{Log}");
            }
            try
            {
                if ((await Client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the server process did not become ready within {ReadySeconds} s:\n{Log}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
