namespace AgentLedger.Core.Common;

/// <summary>Base of the errors the ledger reports to its callers; the API maps each kind to one status code.</summary>
public abstract class LedgerException(string message) : Exception(message);

/// <summary>The thing asked for does not exist (404).</summary>
public sealed class NotFoundException(string message) : LedgerException(message);

/// <summary>
/// The request conflicts with the current state, e.g. an execution that is already final (409).
/// <see cref="Kind"/> names a conflict a client must tell apart (the last segment of the problem <c>type</c>).
/// </summary>
public sealed class ConflictException(string message, string? kind = null) : LedgerException(message)
{
    public const string AgentDisabled = "agent-disabled";

    /// <summary>A client-chosen execution id that is already stored.</summary>
    public const string IdTaken = "execution-id-taken";

    public string? Kind { get; } = kind;
}

/// <summary>The values are well-formed but not acceptable (422 for settings, 400 for reported runs).</summary>
public sealed class ValidationException(IReadOnlyDictionary<string, string[]> errors)
    : LedgerException("One or more values are invalid.")
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static ValidationException For(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>A value is larger than the ledger accepts (413), e.g. metadata over 64 KiB.</summary>
public sealed class PayloadTooLargeException(string message) : LedgerException(message);
