using AgentLedger.Server.Auth;
using System.Text.Json;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Common;
using AgentLedger.Core.Settings;
using AgentLedger.Server.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentLedger.Server.Apis;

public static class SettingsApi
{
    private static readonly string[] Fields = ["enabled", "interval_seconds", "timeout_seconds", "config", "updated_by"];

    public static IEndpointRouteBuilder MapSettingsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/agents/{name}/settings").Access(AccessLevel.Read).WithTags("Settings").Problems(StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/", GetSettings).WithSummary("The agent's effective settings.");
        api.MapPut("/", UpdateSettings).Access(AccessLevel.Admin).Problems(StatusCodes.Status400BadRequest, StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Partial update; 422 on an invalid value, and the previous settings stay.");
        api.MapDelete("/", ResetSettings).Access(AccessLevel.Admin).WithSummary("Resets to the agent's defaults (kept in the history).");
        api.MapGet("/history", GetHistory).WithSummary("Previous versions, newest first.");
        return app;
    }

    public static async Task<Ok<SettingsView>> GetSettings(string name, IAgentDirectory directory, SettingsService settings, CancellationToken cancellationToken)
    {
        await directory.RequireAgentAsync(name, cancellationToken);
        return TypedResults.Ok(SettingsView.From(await settings.GetAsync(name, cancellationToken)));
    }

    /// <summary>
    /// The body is read as a JSON document and checked field by field so that every invalid value,
    /// whatever its kind (range, type, unknown field), is a 422 naming the field.
    /// </summary>
    public static async Task<Results<Ok<SettingsView>, ProblemHttpResult>> UpdateSettings(
        string name, JsonElement body, HttpContext http, IAgentDirectory directory, SettingsService settings, CancellationToken cancellationToken)
    {
        await directory.RequireAgentAsync(name, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        var patch = ReadPatch(body, errors, out var updatedBy);
        if (errors.Count > 0)
        {
            return Unprocessable(errors);
        }
        try
        {
            return TypedResults.Ok(SettingsView.From(await settings.UpdateAsync(name, patch, updatedBy ?? "api", cancellationToken, http.Actor())));
        }
        catch (ValidationException invalid)
        {
            return Unprocessable(invalid.Errors);
        }
    }

    public static async Task<Ok<SettingsView>> ResetSettings(string name, HttpContext http, IAgentDirectory directory, SettingsService settings, CancellationToken cancellationToken)
    {
        await directory.RequireAgentAsync(name, cancellationToken);
        return TypedResults.Ok(SettingsView.From(await settings.ResetAsync(name, "api", cancellationToken, http.Actor())));
    }

    public static async Task<Ok<SettingsHistory>> GetHistory(string name, IAgentDirectory directory, SettingsService settings, CancellationToken cancellationToken)
    {
        await directory.RequireAgentAsync(name, cancellationToken);
        var history = await settings.HistoryAsync(name, cancellationToken);
        return TypedResults.Ok(new SettingsHistory(name, history.Select(SettingsView.From).ToList(), null));
    }

    private static ProblemHttpResult Unprocessable(IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary(p => p.Key, p => p.Value))
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The settings are invalid; the previous settings are kept.",
            Detail = string.Join(" ", errors.Select(p => $"{p.Key}: {string.Join("; ", p.Value)}.")),
        });

    private static SettingsPatch ReadPatch(JsonElement body, Dictionary<string, string[]> errors, out string? updatedBy)
    {
        updatedBy = null;
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object with any of: " + string.Join(", ", Fields)];
            return new SettingsPatch();
        }
        bool? enabled = null;
        int? interval = null, timeout = null;
        JsonElement? config = null;
        foreach (var property in body.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "enabled" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    enabled = value.GetBoolean();
                    break;
                case "interval_seconds" when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i):
                    interval = i;
                    break;
                case "timeout_seconds" when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var t):
                    timeout = t;
                    break;
                case "config" when value.ValueKind == JsonValueKind.Object:
                    config = value.Clone();
                    break;
                case "updated_by" when value.ValueKind == JsonValueKind.String && value.GetString()!.Length is > 0 and <= 200:
                    updatedBy = value.GetString();
                    break;
                case "enabled":
                    errors["enabled"] = ["must be true or false"];
                    break;
                case "interval_seconds" or "timeout_seconds":
                    errors[property.Name] = ["must be a whole number of seconds"];
                    break;
                case "config":
                    errors["config"] = ["must be a JSON object"];
                    break;
                case "updated_by":
                    errors["updated_by"] = ["must be a string of 1 to 200 characters"];
                    break;
                default:
                    errors[property.Name] = ["is not a setting; known fields: " + string.Join(", ", Fields)];
                    break;
            }
        }
        return new SettingsPatch(enabled, interval, timeout, config);
    }
}
