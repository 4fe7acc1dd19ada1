using System.Text.Json;
using AgentLedger.Core.Common;
using AgentLedger.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace AgentLedger.Server.Problems;

/// <summary>
/// Turns the ledger's errors and malformed requests into RFC 7807 problem details, so a client's
/// mistake is a clear 4xx and never a 500.
/// </summary>
internal sealed class LedgerExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            ValidationException v => new HttpValidationProblemDetails(v.Errors.ToDictionary(p => p.Key, p => p.Value))
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request is invalid.",
                Detail = string.Join(" ", v.Errors.Select(p => $"{p.Key}: {string.Join("; ", p.Value)}.")),
            },
            Core.Access.ForbiddenException => Problem(StatusCodes.Status403Forbidden, "Forbidden.", exception.Message),
            NotFoundException => Problem(StatusCodes.Status404NotFound, "Not found.", exception.Message),
            ConflictException { Kind: { } kind } c => new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Conflict.", Detail = c.Message, Type = $"{ProblemTypes.Base}{kind}" },
            ConflictException => Problem(StatusCodes.Status409Conflict, "Conflict.", exception.Message),
            PayloadTooLargeException => Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large.", exception.Message),
            BadHttpRequestException bad => Problem(bad.StatusCode, TitleFor(bad.StatusCode), DetailFor(bad)),
            Storage.Writes.WriteQueueFullException => Problem(
                StatusCodes.Status503ServiceUnavailable,
                "The ledger is busy.",
                $"{exception.Message} Retry after the delay in Retry-After."),
            _ when DatabaseFailures.IsUnavailable(exception) => Problem(
                StatusCodes.Status503ServiceUnavailable,
                "The database is unavailable.",
                "Nothing was recorded for this request; retry after the delay in Retry-After."),
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }
        httpContext.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    internal static class ProblemTypes
    {
        /// <summary>Problem types of this API; the last path segment is the stable part a client matches on.</summary>
        public const string Base = "https://agentledger.dev/problems/";
    }

    private static ProblemDetails Problem(int status, string title, string detail) => new() { Status = status, Title = title, Detail = detail };

    private static string TitleFor(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Payload too large.",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type.",
        _ => "The request is invalid.",
    };

    /// <summary>The JSON reader's own words say where the body is wrong (path, line, position).</summary>
    private static string DetailFor(BadHttpRequestException bad) => bad.InnerException switch
    {
        JsonException json => $"The request body is not valid: {JsonErrors.Describe(json)}",
        System.Text.DecoderFallbackException => "The request body is not valid UTF-8.",
        { } inner => $"{bad.Message} {inner.Message}",
        null when bad.Message.Contains("no body was provided", StringComparison.Ordinal) => "A JSON body is required.",
        null => bad.Message,
    };
}
