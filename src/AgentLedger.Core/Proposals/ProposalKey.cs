namespace AgentLedger.Core.Proposals;

/// <summary>
/// Identifies "the same proposal" across runs: its type and the records it was made from. A draft
/// whose key matches a still-pending proposal of the same agent is not proposed again.
/// </summary>
public static class ProposalKey
{
    public static string Of(string type, IReadOnlyList<string>? inputsUsed, string title) =>
        inputsUsed is { Count: > 0 } inputs
            ? type + "|" + string.Join('|', inputs.Order(StringComparer.Ordinal))
            : type + "|title:" + title;

    public static string Of(ProposalDraft draft) => Of(draft.Type, draft.InputsUsed, draft.Title);
}
