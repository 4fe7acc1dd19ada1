using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace AgentLedger.Client;

/// <summary>
/// One call to the ledger with bounded retries and exponential back-off. Every attempt sends the
/// same bytes, and the ledger's writes are idempotent (client-chosen execution ids, repeated
/// completions answered with what is stored), so a replay after a lost answer never records twice.
/// </summary>
internal sealed class LedgerTransport(HttpClient http, Uri baseAddress, string apiKey, AgentLedgerClientOptions options)
{
    private static readonly ProductInfoHeaderValue UserAgent = new("AgentLedger.Client", typeof(LedgerTransport).Assembly.GetName().Version?.ToString(3));

    public AgentLedgerClientOptions Options => options;

    public async Task<T> SendAsync<T>(HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken)
        where T : class
    {
        var delay = TimeSpan.Zero;
        for (var attempt = 1; ; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(delay, options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            try
            {
                using var response = await SendOnceAsync(method, path, body, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
                }
                var refused = await ProblemAsync(response, cancellationToken).ConfigureAwait(false);
                if (!IsRetryable(response.StatusCode) || attempt >= options.MaxAttempts)
                {
                    throw refused;
                }
                delay = Backoff(attempt, refused.RetryAfter);
            }
            catch (Exception e) when (attempt < options.MaxAttempts && IsTransient(e, cancellationToken))
            {
                delay = Backoff(attempt, (e as AgentLedgerException)?.RetryAfter);
            }
        }
    }

    /// <summary>A single GET without retries, for the look-ups that settle an uncertain attempt.</summary>
    public async Task<T?> TryGetAsync<T>(string path, CancellationToken cancellationToken) where T : class
    {
        using var response = await SendOnceAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            throw await ProblemAsync(response, cancellationToken).ConfigureAwait(false);
        }
        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(baseAddress, path));
        // Per request rather than on DefaultRequestHeaders: a caller's HttpClient is left as it was given.
        request.Headers.TryAddWithoutValidation("X-Api-Key", apiKey);
        request.Headers.UserAgent.Add(UserAgent);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(options.AttemptTimeout);
        try
        {
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attempt.Token).ConfigureAwait(false);
            return response;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"AgentLedger did not answer {method} {path} within {options.AttemptTimeout.TotalSeconds:0.#} s.", e);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) where T : class =>
        await response.Content.ReadFromJsonAsync<T>(Wire.Options, cancellationToken).ConfigureAwait(false)
        ?? throw new AgentLedgerException(response.StatusCode, "Empty response.", "AgentLedger answered without a body.");

    private async Task<AgentLedgerException> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var retryAfter = RetryAfter(response);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentType?.MediaType is { } media && media.EndsWith("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                if (JsonSerializer.Deserialize<ProblemBody>(text, Wire.Options) is { } problem)
                {
                    return new AgentLedgerException(response.StatusCode, problem.Title, problem.Detail, problem.Errors, retryAfter);
                }
            }
            catch (JsonException)
            {
                // Not a problem document after all (a proxy's page, say): the text below still says what happened.
            }
        }
        var detail = text.Length > 500 ? text[..500] : text;
        return new AgentLedgerException(response.StatusCode, response.ReasonPhrase, detail.Length == 0 ? null : detail, retryAfter: retryAfter);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - options.TimeProvider.GetUtcNow(),
        _ => null,
    };

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked)
        {
            return asked < TimeSpan.Zero ? TimeSpan.Zero : asked > options.MaxDelay ? options.MaxDelay : asked;
        }
        var exponential = options.InitialDelay * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = exponential > options.MaxDelay ? options.MaxDelay : exponential;
        // Jitter, so agents that failed together do not all come back at the same instant.
        return capped * (0.5 + Random.Shared.NextDouble() / 2);
    }

    private static bool IsRetryable(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests
        or HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout;

    private static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        _ when cancellationToken.IsCancellationRequested => false,
        AgentLedgerException refused => IsRetryable(refused.StatusCode),
        HttpRequestException request => request.HttpRequestError is not (HttpRequestError.UserAuthenticationError
            or HttpRequestError.ConfigurationLimitExceeded or HttpRequestError.VersionNegotiationError
            or HttpRequestError.ExtendedConnectNotSupported),
        TimeoutException or IOException => true,
        _ => false,
    };
}
