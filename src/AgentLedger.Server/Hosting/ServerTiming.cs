using System.Diagnostics;
using System.Globalization;

namespace AgentLedger.Server.Hosting;

/// <summary>
/// Adds <c>Server-Timing: app;dur=…</c> (W3C Server Timing) to every response: milliseconds from
/// the request entering the pipeline to the response starting. Browsers' developer tools show it,
/// and the benchmark reads it to tell server time from network and client time.
/// </summary>
internal static class ServerTiming
{
    public const string Header = "Server-Timing";

    public static IApplicationBuilder UseServerTiming(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var state = new Started(context, Stopwatch.GetTimestamp());
            context.Response.OnStarting(static s =>
            {
                var started = (Started)s;
                started.Context.Response.Headers[Header] =
                    string.Create(CultureInfo.InvariantCulture, $"app;dur={Stopwatch.GetElapsedTime(started.Timestamp).TotalMilliseconds:F3}");
                return Task.CompletedTask;
            }, state);
            return next(context);
        });

    private sealed record Started(HttpContext Context, long Timestamp);
}
