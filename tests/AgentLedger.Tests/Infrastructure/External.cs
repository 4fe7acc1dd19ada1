namespace AgentLedger.Tests.Infrastructure;

/// <summary>Runs a program of the machine (promtool, npx) for checks that a real tool must make.</summary>
public static class External
{
    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        var info = new System.Diagnostics.ProcessStartInfo(program, args)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = System.Diagnostics.Process.Start(info)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // A tool that hangs (npx waiting on the network, say) must not outlive the test.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"{program} did not finish within {timeout ?? TimeSpan.FromMinutes(3)}:\n{await output}{await error}");
        }
        return (process.ExitCode, await output + await error);
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
