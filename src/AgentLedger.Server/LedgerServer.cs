using AgentLedger.Core.Agents;
using AgentLedger.Core.Runner;
using AgentLedger.Core.Scheduling;
using AgentLedger.Core.Settings;
using AgentLedger.Core.Stats;
using AgentLedger.Commons.Agents;
using AgentLedger.Server.Apis;
using AgentLedger.Server.Auth;
using AgentLedger.Server.Hosting;
using AgentLedger.Server.Json;
using AgentLedger.Server.Problems;
using AgentLedger.Server.Telemetry;
using AgentLedger.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scalar.AspNetCore;

namespace AgentLedger.Server;

/// <summary>Composition of the host: services in <see cref="AddAgentLedger"/>, the HTTP pipeline in <see cref="UseAgentLedger"/>.</summary>
public static class LedgerServer
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    public const long MaxRequestBodyBytes = 8 * 1024 * 1024;

    public static WebApplicationBuilder AddAgentLedger(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        if (string.IsNullOrEmpty(configuration["urls"]) && string.IsNullOrEmpty(configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);

        var section = configuration.GetSection(LedgerOptions.Section);
        services.Configure<LedgerOptions>(section);
        var options = section.Get<LedgerOptions>() ?? new LedgerOptions();
        var storage = section.GetSection("Database").Get<StorageOptions>() ?? new StorageOptions();

        services.TryAddSingletonTimeProvider();
        services.AddLedgerStorage(storage);
        services.AddCommons(storage);
        services.AddCommonsAgents();
        services.AddSingleton(new CatalogOptions(DemoIntervals: options.Demo));
        services.AddSingleton<AgentCatalog>();
        services.AddSingleton<ScheduleReader>();
        services.AddSingleton<SettingsService>();
        services.AddSingleton<StatsService>();
        var node = string.IsNullOrWhiteSpace(options.Node) ? new RunnerOptions().Node : options.Node;
        services.AddSingleton(new RunnerOptions { Node = node });
        services.AddSingleton<AgentRunner>();
        services.AddSingleton<DatabaseBootstrap>();
        services.AddHostedService<LedgerLifecycle>();
        services.AddHostedService<WalCheckpointService>();
        services.AddHostedService<ProposalExpiryService>();
        services.AddHostedService<AgentScheduler>();
        services.AddHostedService<RunWatchdog>();
        services.AddHostedService<RetentionService>();
        services.AddSingleton<Core.Insights.HealthReader>();
        services.AddHostedService<HealthAlertService>();
        if ((Core.Alerts.AlertRules.ValidateUrl(options.Alerts.WebhookUrl) ?? WebhookTargets.Check(options.Alerts.WebhookUrl, options.Alerts.AllowPrivateTargets)) is { } urlError)
        {
            throw new InvalidOperationException($"AgentLedger:Alerts:WebhookUrl {urlError}.");
        }
        services.AddSingleton(new Core.Alerts.WebhookTargetPolicy(url => WebhookTargets.Check(url, options.Alerts.AllowPrivateTargets)));
        services.AddHttpClient(HealthAlertService.HttpClientName, c =>
        {
            c.Timeout = TimeSpan.FromSeconds(options.Alerts.TimeoutSeconds);
            c.DefaultRequestHeaders.UserAgent.ParseAdd("AgentLedger-Alerts/1.0");
        }).ConfigurePrimaryHttpMessageHandler(() => WebhookTargets.Handler(options.Alerts.AllowPrivateTargets));

        var dataFolder = string.IsNullOrWhiteSpace(options.DataFolder) ? StorageServiceCollectionExtensions.DataFolder(storage) : Path.GetFullPath(options.DataFolder);
        services.AddSingleton(sp => new ApiKeyStore(options.ApiKey, dataFolder, sp.GetRequiredService<ILogger<ApiKeyStore>>()));
        services.AddSingleton(new KeyHasher(dataFolder, section.GetSection("Auth").Get<AuthOptions>()?.Pepper));
        services.AddSingleton<KeyIssuer>();
        services.AddSingleton<AuthFailures>();
        services.Configure<AuthOptions>(section.GetSection("Auth"));
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAccessPolicies();

        services.Configure<JsonOptions>(o => LedgerJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(ProblemDefaults.Configure);
        services.AddExceptionHandler<LedgerExceptionHandler>();
        services.AddLedgerHealthChecks();
        services.AddLedgerOpenApi();
        services.Configure<Otlp.OtlpOptions>(configuration.GetSection(Otlp.OtlpOptions.Section));
        services.TryAddSingleton<IAgentReportPolicy, KeyScopeReportPolicy>();
        services.AddHostedService<Otlp.OrphanSweepService>();
        services.AddReportRateLimiting(section.GetSection("RateLimit").Get<RateLimitOptions>() ?? new RateLimitOptions());
        builder.AddLedgerTelemetry(node);
        if (string.Equals(options.LogFormat, "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                // Scopes carry execution_id and agent on every line a run logs.
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            });
        }
        return builder;
    }

    public static WebApplication UseAgentLedger(this WebApplication app)
    {
        // Resolve at start-up so a generated key's file path is logged before the first request.
        app.Services.GetRequiredService<ApiKeyStore>();
        app.UseServerTiming();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // The dashboard (wwwroot) is plain files with unversioned names: no-cache makes browsers
        // revalidate (ETag) so an upgrade never mixes old and new ES modules.
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache" });
        app.UseOtlpOtherSignals();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapOpenApi().Access(AccessLevel.Open);
        app.MapMetrics(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LedgerOptions>>().Value.ProtectMetrics);
        app.MapScalarApiReference("/docs", o => o.WithOpenApiRoutePattern("/openapi/{documentName}.json")).Access(AccessLevel.Open);
        app.MapHealthApi();
        app.MapAgentsApi();
        app.MapSettingsApi();
        app.MapStatsApi();
        app.MapExecutionsApi();
        app.MapProposalsApi();
        app.MapCommonsApi();
        app.MapAlertsApi();
        app.MapKeysApi();
        app.MapOtlpApi();
        return app;
    }

    /// <summary>
    /// Prepares the database, then serves until shutdown; returns the process exit code. The
    /// database is prepared here, before the host starts, so that a node that may not migrate a
    /// schema that is behind exits with one clear line and its own code, not a host start failure.
    /// </summary>
    public static async Task<int> RunLedgerAsync(this WebApplication app)
    {
        try
        {
            await app.Services.GetRequiredService<DatabaseBootstrap>().PrepareAsync(app.Lifetime.ApplicationStopping);
        }
        catch (SchemaBehindException)
        {
            // Logged, with what to do, where it was found. The console logger writes from a queue:
            // disposing the host flushes it, so the line is not lost with the process.
            await app.DisposeAsync();
            return SchemaBehindException.ExitCode;
        }
        await app.RunAsync();
        return 0;
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
