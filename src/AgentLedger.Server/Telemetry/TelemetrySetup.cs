using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;
using AgentLedger.Core.Telemetry;
using AgentLedger.Server.Auth;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AgentLedger.Server.Telemetry;

/// <summary>OpenTelemetry: the AgentLedger meter and spans, Prometheus on /metrics, OTLP when an endpoint is configured.</summary>
public static class TelemetrySetup
{
    public static WebApplicationBuilder AddLedgerTelemetry(this WebApplicationBuilder builder, string node)
    {
        var services = builder.Services;
        services.AddSingleton<LedgerTelemetry>();
        // Metrics are counted where the ledger is written, so they agree with it by construction.
        services.Decorate<IExecutionLedger>((inner, sp) => new TelemetryExecutionLedger(inner, sp.GetRequiredService<LedgerTelemetry>()));
        services.Decorate<IProposalStore>((inner, sp) => new TelemetryProposalStore(inner, sp.GetRequiredService<LedgerTelemetry>()));

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("agentledger", serviceInstanceId: node))
            .WithMetrics(m => m.AddMeter(LedgerTelemetry.Name).AddPrometheusExporter())
            .WithTracing(t => t.AddSource(LedgerTelemetry.Name).AddAspNetCoreInstrumentation());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }
        return builder;
    }

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app, bool protect)
    {
        // Protected, any valid key may scrape; the loopback exemption of reads does not apply.
        app.MapPrometheusScrapingEndpoint("/metrics").Access(protect ? AccessLevel.AnyKey : AccessLevel.Open);
        return app;
    }

    /// <summary>Wraps the registered implementation of <typeparamref name="TService"/> (a singleton) in a decorator.</summary>
    private static void Decorate<TService>(this IServiceCollection services, Func<TService, IServiceProvider, TService> decorate)
        where TService : class
    {
        var inner = services.Last(d => d.ServiceType == typeof(TService));
        services.Remove(inner);
        services.AddSingleton(sp => decorate(Create(inner, sp), sp));

        static TService Create(ServiceDescriptor descriptor, IServiceProvider sp) => (TService)(
            descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!));
    }
}
