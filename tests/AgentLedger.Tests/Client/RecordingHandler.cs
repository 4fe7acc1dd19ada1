using System.Net;
using System.Text;

namespace AgentLedger.Tests.Client;

/// <summary>
/// Sits between the client and the test server: records what was sent and answered, and injects
/// the faults a real network and a busy ledger produce.
/// </summary>
public sealed class RecordingHandler : DelegatingHandler
{
    public enum Fault
    {
        /// <summary>503 with Retry-After: 0, before the request reaches the ledger.</summary>
        Unavailable,

        /// <summary>The ledger handles the request, then the connection drops before the answer arrives.</summary>
        LoseAnswer,
    }

    private readonly List<(Func<HttpRequestMessage, bool> Match, Fault Fault, int Times)> _faults = [];
    private readonly List<Exchange> _exchanges = [];

    public sealed record Exchange(string Method, string Path, string? Body, HttpStatusCode? Status, Fault? Injected);

    public IReadOnlyList<Exchange> Exchanges
    {
        get
        {
            lock (_exchanges)
            {
                return [.. _exchanges];
            }
        }
    }

    public RecordingHandler Inject(Fault fault, HttpMethod method, string pathSuffix, int times = 1)
    {
        lock (_faults)
        {
            _faults.Add((r => r.Method == method && r.RequestUri!.AbsolutePath.EndsWith(pathSuffix, StringComparison.Ordinal), fault, times));
        }
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var fault = Take(request);
        HttpResponseMessage? response = null;
        try
        {
            if (fault == Fault.Unavailable)
            {
                response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
                {
                    Content = new StringContent("""{"title":"The database is unavailable.","status":503}""", Encoding.UTF8, "application/problem+json"),
                };
                response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero);
                return response;
            }
            response = await base.SendAsync(request, cancellationToken);
            if (fault == Fault.LoseAnswer)
            {
                response.Dispose();
                throw new HttpRequestException(HttpRequestError.ResponseEnded, "The connection closed before the answer arrived (injected).");
            }
            return response;
        }
        finally
        {
            lock (_exchanges)
            {
                _exchanges.Add(new(request.Method.Method, request.RequestUri!.AbsolutePath, body, fault == Fault.LoseAnswer ? null : response?.StatusCode, fault));
            }
        }
    }

    private Fault? Take(HttpRequestMessage request)
    {
        lock (_faults)
        {
            var index = _faults.FindIndex(f => f.Times > 0 && f.Match(request));
            if (index < 0)
            {
                return null;
            }
            var found = _faults[index];
            _faults[index] = found with { Times = found.Times - 1 };
            return found.Fault;
        }
    }
}
