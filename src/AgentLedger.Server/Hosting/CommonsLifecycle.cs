using AgentLedger.Commons.Demo;
using AgentLedger.Commons.Storage;
using Microsoft.Extensions.Options;

namespace AgentLedger.Server.Hosting;

/// <summary>
/// Before anything is served: apply the commons migrations and, in demo mode, seed the demo
/// community into an empty database. Registered after <see cref="LedgerLifecycle"/>, whose
/// migrations the seeder's "has the ledger any executions" check relies on.
/// </summary>
internal sealed class CommonsLifecycle(CommonsDatabase database, DemoSeeder seeder, IOptions<LedgerOptions> options) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        if (options.Value.Demo)
        {
            await seeder.SeedAsync(cancellationToken);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
