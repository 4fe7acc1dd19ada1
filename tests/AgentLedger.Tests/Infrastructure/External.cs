namespace AgentLedger.Tests.Infrastructure;

/// <summary>Runs a program of the machine (promtool, npx) for checks that a real tool must make.</summary>
public static class External
{
    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs a program to its end; past the timeout its whole process tree is killed and the call throws.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string program, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new System.Diagnostics.ProcessStartInfo(program, args)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        using var process = System.Diagnostics.Process.Start(info)!;
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
                process.StandardInput.Close();
            }
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            var limit = timeout ?? TimeSpan.FromMinutes(3);
            using var cts = new CancellationTokenSource(limit);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within {limit}; it was killed.");
            }
            return (process.ExitCode, await output + await error);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
    }

    /// <summary>A check that needs a tool: skipped on a developer machine without it, a failure in CI.</summary>
    public static string Require(string program)
    {
        var path = Find(program);
        if (path is null && Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
        {
            Assert.Fail($"{program} is required in CI (scripts/test.sh installs it).");
        }
        Skip.If(path is null, $"{program} is not installed");
        return path!;
    }
}
