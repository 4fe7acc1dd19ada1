using System.Net;

namespace AgentLedger.Client;

/// <summary>
/// The ledger refused a call (4xx), or still answered 429/5xx after the last attempt. Carries the
/// RFC 7807 problem details, with the invalid fields in <see cref="Errors"/>.
/// </summary>
public sealed class AgentLedgerException : Exception
{
    /// <summary>Creates the exception from a problem's parts.</summary>
    public AgentLedgerException(
        HttpStatusCode statusCode, string? title, string? detail,
        IReadOnlyDictionary<string, string[]>? errors = null, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(Describe(statusCode, title, detail), innerException)
    {
        StatusCode = statusCode;
        Title = title;
        Detail = detail;
        Errors = errors ?? new Dictionary<string, string[]>();
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The problem's title.</summary>
    public string? Title { get; }

    /// <summary>The problem's detail: what was wrong, in the ledger's words.</summary>
    public string? Detail { get; }

    /// <summary>Invalid fields by their JSON path (e.g. <c>proposals[0].title</c>), each with its messages.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>The wait the ledger asked for (429, 503).</summary>
    public TimeSpan? RetryAfter { get; }

    private static string Describe(HttpStatusCode status, string? title, string? detail) =>
        $"AgentLedger answered {(int)status} {title ?? status.ToString()}" + (string.IsNullOrEmpty(detail) ? "" : $": {detail}");
}
