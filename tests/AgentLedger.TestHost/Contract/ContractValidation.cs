using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AgentLedger.TestHost.Contract;

/// <summary>
/// Every answer of a test host is checked against the host's own OpenAPI document. A violation
/// replaces the answer with a 500 naming it (and the header <see cref="ViolationHeader"/>), so the
/// test whose request caused it fails, whichever client or browser sent the request.
/// </summary>
public static class ContractValidation
{
    public const string ViolationHeader = "X-OpenApi-Violation";

    private static readonly Lock Gate = new();
    private static long _checked;

    /// <summary>Answers checked in this process: lets a test see that the check is in the pipeline at all.</summary>
    public static long Checked => Interlocked.Read(ref _checked);
    private static Task<OpenApiContract>? _contract;

    public static IServiceCollection AddContractValidation(this IServiceCollection services) =>
        services.AddSingleton<IStartupFilter, Filter>();

    /// <summary>The document, serialised as /openapi/v1.json serves it, parsed once per process.</summary>
    private static Task<OpenApiContract> ContractAsync(IServiceProvider services)
    {
        lock (Gate)
        {
            return _contract ??= LoadAsync(services);
        }

        static async Task<OpenApiContract> LoadAsync(IServiceProvider services)
        {
            var document = await services.GetRequiredKeyedService<IOpenApiDocumentProvider>("v1").GetOpenApiDocumentAsync();
            return new OpenApiContract(await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1));
        }
    }

    // Outside the whole pipeline, so it sees the answer exactly as it leaves the server.
    private sealed class Filter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(CheckAsync);
            next(app);
        };
    }

    private static async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value ?? "/";
        if (!IsApi(path))
        {
            await next(context);
            return;
        }
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
        var contract = await ContractAsync(context.RequestServices);
        var headers = context.Response.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Interlocked.Increment(ref _checked);
        var violations = contract.Check(context.Request.Method, path, context.Response.StatusCode, context.Response.ContentType, headers, buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        if (violations.Count == 0)
        {
            buffer.Position = 0;
            await buffer.CopyToAsync(original, context.RequestAborted);
            return;
        }
        var report = $"OpenAPI contract violation by {context.Request.Method} {context.Request.Path}{context.Request.QueryString}:\n"
            + string.Join("\n", violations) + "\nThe answer was:\n" + System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)Math.Min(buffer.Length, 4000));
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ContractValidation)).LogError("{Report}", report);
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers[ViolationHeader] = Uri.EscapeDataString(violations[0]);
        await context.Response.WriteAsync(report, context.RequestAborted);
    }

    // The API, health, metrics and OTLP answer by the document; the dashboard's files, /docs and /openapi are not operations.
    private static bool IsApi(string path) =>
        path.StartsWith("/api/", StringComparison.Ordinal) || path == "/api" || path.StartsWith("/health/", StringComparison.Ordinal) || path == "/metrics"
        || path.StartsWith("/otel/", StringComparison.Ordinal);
}
