using System.Text.Json;

namespace AgentLedger.Core.Alerts;

/// <summary>When a health change is an alert, where its webhook goes, and how often it is retried.</summary>
public static class AlertRules
{
    /// <summary>Per-agent webhook in the agent's settings config; overrides the server-wide one.</summary>
    public const string WebhookUrlKey = "alert_webhook_url";

    private static readonly HashSet<string> Unhealthy = ["failing", "stale", "stuck"];

    /// <summary>
    /// One alert per change. An agent judged for the first time is alerted only if it is already
    /// unhealthy: a new or upgraded ledger does not announce every healthy agent.
    /// </summary>
    public static bool ShouldRaise(string? previous, string current) =>
        previous is null ? Unhealthy.Contains(current) : previous != current;

    public static string? WebhookUrl(JsonElement config, string? serverDefault) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty(WebhookUrlKey, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : string.IsNullOrWhiteSpace(serverDefault) ? null : serverDefault;

    /// <summary>Null when valid: an absolute http(s) URL, or null to fall back to the server's.</summary>
    public static string? ValidateUrl(string? url) =>
        url is null || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            ? null
            : "must be an absolute http or https URL";

    /// <param name="targets">Where a webhook may go (the server refuses inward targets); null accepts any http(s) URL.</param>
    public static IReadOnlyDictionary<string, string[]> Validate(JsonElement config, WebhookTargetPolicy? targets = null)
    {
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty(WebhookUrlKey, out var value))
        {
            return new Dictionary<string, string[]>();
        }
        var error = value.ValueKind == JsonValueKind.String
            ? ValidateUrl(value.GetString()) ?? targets?.Check(value.GetString()!)
            : "must be an absolute http or https URL";
        return error is null ? new Dictionary<string, string[]>() : new Dictionary<string, string[]> { [WebhookUrlKey] = [error] };
    }

    /// <summary>What the API shows of a webhook: scheme, host and port, never the path or query that may hold a token.</summary>
    public static string Target(string url) => new Uri(url).GetLeftPart(UriPartial.Authority);
}

/// <summary>Exponential back-off: the first retry after <see cref="FirstRetry"/>, doubling up to <see cref="MaxRetry"/>.</summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan FirstRetry, TimeSpan MaxRetry)
{
    /// <summary>When to try again after <paramref name="attemptsMade"/> failed attempts; null when they are used up.</summary>
    public DateTimeOffset? NextAttempt(int attemptsMade, DateTimeOffset now)
    {
        if (attemptsMade >= MaxAttempts)
        {
            return null;
        }
        var delay = FirstRetry * Math.Pow(2, Math.Min(attemptsMade - 1, 30));
        return now + (delay < MaxRetry ? delay : MaxRetry);
    }
}

/// <summary>The server's rule for webhook targets: null when a URL may be used, else why not.</summary>
public sealed record WebhookTargetPolicy(Func<string, string?> Check);
