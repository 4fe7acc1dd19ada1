using System.Diagnostics;
using System.Globalization;
using AgentLedger.Bench.Datasets;

namespace AgentLedger.Bench.Hosting;

/// <summary>
/// The server in a process of its own (this harness with the hidden <c>serve</c> verb), so its
/// working set is the server's alone and the load generator does not share its heap.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int Id => _process.Id;

    /// <param name="settings">Server settings beside the harness's own, as configuration keys (<c>AgentLedger:Database:WritesPerCommit</c>).</param>
    public static async Task<ServerProcess> StartAsync(BenchDatabase database, string synchronous, TimeSpan clockOffset, string dataFolder, IReadOnlyDictionary<string, string>? settings = null)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ServerProcess).Assembly.Location);
        }
        foreach (var arg in new[]
        {
            "serve", "--provider", database.Provider, "--connection", database.ConnectionString, "--synchronous", synchronous,
            "--offset-ticks", clockOffset.Ticks.ToString(CultureInfo.InvariantCulture), "--data", dataFolder,
        })
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            // Environment variables are one of the server's configuration sources: "AgentLedger__Database__WritesPerCommit".
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("The server process did not start.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("listening ", StringComparison.Ordinal))
            {
                return new ServerProcess(process, new Uri(line["listening ".Length..]));
            }
        }
        throw new InvalidOperationException($"The server process exited ({(process.HasExited ? process.ExitCode : -1)}) before it listened.");
    }

    /// <summary>Peak resident set (VmHWM on Linux) of the server since it started.</summary>
    public long PeakWorkingSetBytes
    {
        get
        {
            _process.Refresh();
            return _process.PeakWorkingSet64;
        }
    }

    /// <summary>CPU time the server has used (all threads): on a busy machine a steadier measure than wall time.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public long WorkingSetBytes
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
            }
        }
        _process.Dispose();
    }
}
