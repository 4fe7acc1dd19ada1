using System.Text.Json;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;

namespace AgentLedger.Server.Auth;

/// <summary>
/// Agents report what their code raised and logged; a key pasted into an error message or metadata
/// would otherwise be stored and shown to every reader. Anything in the key format is replaced first.
/// </summary>
public static class ReportScrubber
{
    public static ExecutionStart Scrub(ExecutionStart start) => start with { Metadata = Scrub(start.Metadata) };

    public static ExecutionOutcome? Scrub(ExecutionOutcome? outcome) => outcome is null ? null : outcome with
    {
        ErrorType = Scrub(outcome.ErrorType),
        ErrorMessage = Scrub(outcome.ErrorMessage),
        Metadata = Scrub(outcome.Metadata),
        Proposals = outcome.Proposals?.Select(Scrub).ToList(),
    };

    public static JsonElement? Scrub(JsonElement? value)
    {
        if (value is not { } element)
        {
            return null;
        }
        var text = element.GetRawText();
        var scrubbed = KeyFormat.Scrub(text);
        // The key alphabet has no quote or backslash, so replacing inside the JSON text keeps it valid.
        return text == scrubbed ? element : JsonDocument.Parse(scrubbed).RootElement.Clone();
    }

    private static string? Scrub(string? text) => text is null ? null : KeyFormat.Scrub(text);

    private static ProposalDraft Scrub(ProposalDraft draft) => draft with
    {
        Title = KeyFormat.Scrub(draft.Title),
        Explanation = Scrub(draft.Explanation),
        InputsUsed = draft.InputsUsed?.Select(KeyFormat.Scrub).ToList(),
        Data = Scrub(draft.Data),
    };
}
