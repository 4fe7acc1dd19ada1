
namespace AgentLedger.Server.Problems;

/// <summary>
/// Every problem has a <c>type</c> (RFC 9457: about:blank when the status says it all), and every
/// 4xx problem a <c>detail</c>, also those the framework writes itself (status code pages: an
/// unmatched route, a method not allowed, a media type refused before any handler ran).
/// </summary>
internal static class ProblemDefaults
{
    public static void Configure(ProblemDetailsOptions options) => options.CustomizeProblemDetails = context =>
    {
        var problem = context.ProblemDetails;
        problem.Type ??= "about:blank";
        if (problem.Status is not (>= 400 and < 500) || !string.IsNullOrWhiteSpace(problem.Detail))
        {
            return;
        }
        var http = context.HttpContext;
        var request = $"{http.Request.Method} {http.Request.Path}";
        problem.Detail = problem.Status switch
        {
            StatusCodes.Status404NotFound => NotFound(http, request),
            StatusCodes.Status405MethodNotAllowed => $"{request} is not allowed{Allowed(http)}.",
            StatusCodes.Status415UnsupportedMediaType => $"{request} takes a JSON body sent with 'Content-Type: application/json' (got {(http.Request.ContentType is { Length: > 0 } type ? $"'{type}'" : "no Content-Type")}).",
            StatusCodes.Status401Unauthorized => "An API key is required: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.",
            StatusCodes.Status403Forbidden => "The API key is valid but may not do this.",
            _ => $"{request} was refused ({problem.Title ?? "client error"}).",
        };
    };

    private static string NotFound(HttpContext http, string request)
    {
        // The route table is consulted only to say why: a matched endpoint's own 404s already have a detail.
        if (http.GetEndpoint() is null && http.Request.Path.StartsWithSegments("/api", out var rest))
        {
            var segments = rest.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
            if (segments is ["executions" or "proposals", var id, ..] && !Guid.TryParse(id, out _))
            {
                return $"No route matches {request}: '{Uri.UnescapeDataString(id)}' is not an id; {segments[0]} ids are UUIDs such as 0192f0c4-6f1e-7c4b-9a57-3f2d1e0b5a11.";
            }
            return $"No route matches {request}; the API's routes are listed in /openapi/v1.json.";
        }
        return $"Nothing is served at {request}.";
    }

    private static string Allowed(HttpContext http) =>
        http.Response.Headers.Allow is { Count: > 0 } allow ? $"; allowed: {string.Join(", ", allow.ToArray())}" : "";
}
