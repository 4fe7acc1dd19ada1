using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AgentLedger.Client;

/// <summary>The contract's wire format: snake_case, UTC times ending in Z, absent rather than null.</summary>
internal static class Wire
{
    public const int MaxMetadataBytes = 64 * 1024;

    // The ledger's bounds of heartbeat_seconds.
    public const int MinHeartbeatSeconds = 5;
    public const int MaxHeartbeatSeconds = 3600;
    private const int MaxErrorTypeLength = 512;
    private const int MaxErrorMessageLength = 32 * 1024;
    private const int MaxStackTraceLength = 8 * 1024;

    public static readonly JsonSerializerOptions Options = Create(JsonIgnoreCondition.WhenWritingNull);

    // The caller's own objects (metadata, proposal data): a null in them is data, so it is kept.
    private static readonly JsonSerializerOptions Payload = Create(JsonIgnoreCondition.Never);

    private static JsonSerializerOptions Create(JsonIgnoreCondition ignore)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = ignore,
        };
        options.Converters.Add(new UtcTimeConverter());
        options.Converters.Add(new RunStatusConverter());
        options.Converters.Add(new JsonStringEnumConverter<RunOutcome>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static RunStatus Status(RunOutcome outcome) => outcome switch
    {
        RunOutcome.Success => RunStatus.Success,
        RunOutcome.Failed => RunStatus.Failed,
        RunOutcome.Timeout => RunStatus.Timeout,
        RunOutcome.Cancelled => RunStatus.Cancelled,
        _ => RunStatus.Unknown,
    };

    public static byte[] Serialize<T>(T body) => JsonSerializer.SerializeToUtf8Bytes(body, Options);

    /// <summary>
    /// Snapshots a caller's object as a JSON object when it is handed over, so a later change to
    /// it cannot alter what is reported and a wrong shape fails at the call that passed it.
    /// </summary>
    public static JsonObject? ToObject(object? value, string parameter) => value switch
    {
        null => null,
        JsonObject node => (JsonObject)node.DeepClone(),
        _ => JsonSerializer.SerializeToNode(value, value.GetType(), Payload) as JsonObject
            ?? throw new ArgumentException("must serialize to a JSON object", parameter),
    };

    /// <summary>The ledger keeps microseconds; cutting here makes a sent time compare equal to the stored one.</summary>
    public static DateTimeOffset Microseconds(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);
    }

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture);

    public static int ByteCount(JsonNode node) => Encoding.UTF8.GetByteCount(node.ToJsonString(Options));

    // A failure must be recordable whatever the exception says: the ledger refuses over-long text
    // and control characters, and a refused failure would leave the run open.
    public static string ErrorType(string text) => Clean(text, MaxErrorTypeLength);

    public static string ErrorMessage(string text) => Clean(text, MaxErrorMessageLength);

    public static string StackTrace(string text) => Clean(text, MaxStackTraceLength);

    private static string Clean(string text, int maxLength)
    {
        var builder = new StringBuilder(Math.Min(text.Length, maxLength));
        foreach (var c in text)
        {
            if (builder.Length == maxLength)
            {
                break;
            }
            builder.Append(char.IsControl(c) && c is not ('\t' or '\n' or '\r') ? ' ' : c);
        }
        // The ledger also refuses the escaped spelling of NUL, because PostgreSQL text cannot hold it.
        return builder.Replace("\\u0000", "\\u 0000").ToString();
    }
}

internal sealed record StartBody(Guid Id, string AgentName, DateTimeOffset StartedAt, JsonObject? Metadata, int? HeartbeatSeconds);

internal sealed record CompleteBody(
    RunOutcome Status,
    DateTimeOffset CompletedAt,
    string? ErrorType,
    string? ErrorMessage,
    IReadOnlyList<ProposalBody>? Proposals,
    int? ProposalsCreated,
    long? ResourcesProcessed,
    IReadOnlyDictionary<string, double>? Metrics,
    JsonObject? Metadata);

internal sealed record ReportBody(
    Guid Id,
    string AgentName,
    DateTimeOffset StartedAt,
    RunOutcome Status,
    DateTimeOffset CompletedAt,
    string? ErrorType,
    string? ErrorMessage,
    IReadOnlyList<ProposalBody>? Proposals,
    int? ProposalsCreated,
    long? ResourcesProcessed,
    IReadOnlyDictionary<string, double>? Metrics,
    JsonObject? Metadata);

internal sealed record ProposalBody(string Type, string Title, string? Explanation, IReadOnlyList<string>? InputsUsed, JsonObject? Data)
{
    public static ProposalBody From(Proposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        return new(proposal.Type, proposal.Title, proposal.Explanation, proposal.InputsUsed?.ToArray(), Wire.ToObject(proposal.Data, nameof(Proposal.Data)));
    }
}

internal sealed record ProblemBody(string? Title, string? Detail, Dictionary<string, string[]>? Errors);

/// <summary>Writes "2026-11-23T10:00:00.123456Z"; reads any ISO-8601 time.</summary>
internal sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Wire.Format(value));
}

/// <summary>A status added by a newer ledger reads as <see cref="RunStatus.Unknown"/> instead of failing the call.</summary>
internal sealed class RunStatusConverter : JsonConverter<RunStatus>
{
    public override RunStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        (reader.TokenType == JsonTokenType.String ? reader.GetString() : null) switch
        {
            "running" => RunStatus.Running,
            "success" => RunStatus.Success,
            "failed" => RunStatus.Failed,
            "timeout" => RunStatus.Timeout,
            "cancelled" => RunStatus.Cancelled,
            "abandoned" => RunStatus.Abandoned,
            _ => RunStatus.Unknown,
        };

    public override void Write(Utf8JsonWriter writer, RunStatus value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString().ToLowerInvariant());
}
