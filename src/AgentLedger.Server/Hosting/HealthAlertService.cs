using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgentLedger.Core.Alerts;
using AgentLedger.Core.Insights;
using AgentLedger.Core.Runner;
using AgentLedger.Core.Telemetry;
using AgentLedger.Server.Json;
using Microsoft.Extensions.Options;

namespace AgentLedger.Server.Hosting;

/// <summary>
/// Judges every agent's health each <see cref="AlertOptions.CheckSeconds"/> and raises an alert when
/// it differs from the health last recorded (one per change, however many runs or nodes see it),
/// then posts due webhooks, retrying with exponential back-off. One node at a time does this (a
/// lease in the ledger), so nodes never race each other into flapping alerts or double deliveries.
/// </summary>
internal sealed partial class HealthAlertService(
    HealthReader health,
    IAlertStore alerts,
    IHttpClientFactory http,
    RunnerOptions runner,
    LedgerTelemetry telemetry,
    TimeProvider time,
    IOptions<LedgerOptions> options,
    ILogger<HealthAlertService> logger) : BackgroundService
{
    public const string HttpClientName = "alerts";
    private const string Lease = "health-alerts";
    private const int DeliveriesPerTick = 32;

    private readonly AlertOptions _options = options.Value.Alerts;

    private readonly RetryPolicy _retry = new(Math.Max(1, options.Value.Alerts.MaxAttempts), TimeSpan.FromSeconds(options.Value.Alerts.FirstRetrySeconds), TimeSpan.FromSeconds(options.Value.Alerts.MaxRetrySeconds));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var check = TimeSpan.FromSeconds(Math.Max(0.1, _options.CheckSeconds));
        // Long enough to outlast a tick that waits on slow webhooks, short enough to fail over quickly.
        var leaseFor = 3 * check + 2 * TimeSpan.FromSeconds(_options.TimeoutSeconds);
        using var timer = new PeriodicTimer(check, time);
        do
        {
            try
            {
                var now = time.GetUtcNow();
                if (await alerts.TryHoldLeaseAsync(Lease, runner.Node, now, now + leaseFor, stoppingToken))
                {
                    await JudgeAsync(stoppingToken);
                    await DeliverDueAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.NextTickAsync(stoppingToken));
    }

    private async Task JudgeAsync(CancellationToken cancellationToken)
    {
        var recorded = await alerts.HealthStatesAsync(cancellationToken);
        foreach (var (agent, judged) in await health.ReadAllAsync(cancellationToken))
        {
            var previous = recorded.GetValueOrDefault(agent);
            var verdict = judged.Verdict;
            if (previous == verdict.Health)
            {
                continue;
            }
            var webhook = AlertRules.WebhookUrl(judged.Settings.Config, _options.WebhookUrl);
            var raise = AlertRules.ShouldRaise(previous, verdict.Health);
            if (await alerts.TransitionAsync(agent, previous, verdict, raise, webhook, runner.Node, time.GetUtcNow(), cancellationToken) is not null)
            {
                telemetry.AlertRaised(agent, verdict.Health);
                LogRaised(logger, agent, previous ?? "(none)", verdict.Health, verdict.HealthReason);
            }
        }
    }

    private async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        var due = await alerts.DueAsync(time.GetUtcNow(), DeliveriesPerTick, cancellationToken);
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (delivery, ct) =>
        {
            var attempt = await PostAsync(delivery, ct);
            var next = attempt.Delivered || attempt.Permanent ? null : _retry.NextAttempt(delivery.Alert.Delivery.Attempts + 1, attempt.At);
            await alerts.RecordAttemptAsync(delivery.Alert.Id, attempt, next, ct);
            telemetry.AlertDelivery(attempt.Delivered ? "delivered" : next is null ? "failed" : "retrying");
            if (!attempt.Delivered)
            {
                LogDeliveryFailed(logger, delivery.Alert.AgentName, AlertRules.Target(delivery.WebhookUrl), attempt.Error ?? "", next);
            }
        });
    }

    private async Task<DeliveryAttempt> PostAsync(DueDelivery delivery, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(WebhookBody.Of(delivery.Alert), LedgerJson.Options);
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.WebhookUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-AgentLedger-Alert-Id", delivery.Alert.Id.ToString());
        if (!string.IsNullOrEmpty(_options.Secret))
        {
            request.Headers.Add("X-AgentLedger-Signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(_options.Secret), body)));
        }
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new DeliveryAttempt(time.GetUtcNow(), true, false, status, null);
            }
            // The receiver refused this request for good; 408, 429 and 5xx may pass later.
            var permanent = status is >= 400 and < 500 && response.StatusCode is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests);
            return new DeliveryAttempt(time.GetUtcNow(), false, permanent, status, $"HTTP {status} {response.ReasonPhrase}");
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new DeliveryAttempt(time.GetUtcNow(), false, false, null, ex is TaskCanceledException ? $"No answer within {_options.TimeoutSeconds} s" : ex.Message);
        }
    }

    /// <summary>The JSON a webhook receives. <c>text</c> makes it readable as-is by Slack- or Mattermost-style receivers.</summary>
    internal sealed record WebhookBody(Guid Id, string AgentName, string Health, string? PreviousHealth, string HealthReason, DateTimeOffset RaisedAt, string Node, string Text)
    {
        public static WebhookBody Of(Alert a) => new(
            a.Id, a.AgentName, a.Health, a.PreviousHealth, a.HealthReason, a.RaisedAt, a.Node,
            $"AgentLedger: agent '{a.AgentName}' is {a.Health}{(a.PreviousHealth is null ? "" : $" (was {a.PreviousHealth})")}. {a.HealthReason}");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {Agent} health changed from {Previous} to {Health}: {Reason}")]
    private static partial void LogRaised(ILogger logger, string agent, string previous, string health, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert webhook for {Agent} to {Target} failed ({Error}); next attempt at {NextAttempt}")]
    private static partial void LogDeliveryFailed(ILogger logger, string agent, string target, string error, DateTimeOffset? nextAttempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Judging health or sending alerts failed; retrying at the next check")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
