using System.Text.Json;
using System.Text.RegularExpressions;

namespace AgentLedger.Server.Problems;

/// <summary>Rewrites System.Text.Json's messages in the API's terms: field paths and JSON types, not .NET type names.</summary>
internal static partial class JsonErrors
{
    public static string Describe(JsonException exception)
    {
        var path = exception.Path is { Length: > 1 } p ? p.TrimStart('$', '.') : null;
        var message = exception.Message;
        if (UnmappedMember().Match(message) is { Success: true } unmapped)
        {
            return $"'{unmapped.Groups["name"].Value}' is not a known field (a misspelt field is refused rather than ignored).";
        }
        if (WrongType().Match(message) is { Success: true } wrong)
        {
            return $"{path ?? "a value"} must be {Expected(wrong.Groups["type"].Value)}.";
        }
        // Our own converters and the reader's syntax errors already speak JSON; keep the position.
        return path is null ? message : $"{path}: {message}";
    }

    private static string Expected(string dotnetType) => dotnetType switch
    {
        var t when t.Contains("Int32") || t.Contains("Int64") => "a whole number",
        var t when t.Contains("Double") => "a number",
        var t when t.Contains("Boolean") => "true or false",
        var t when t.Contains("String") && !t.Contains("Dictionary") && !t.Contains("List") => "a string",
        var t when t.Contains("DateTimeOffset") => "an ISO-8601 time string",
        var t when t.Contains("Dictionary") || t.Contains("JsonElement") || t.Contains("Request") => "an object",
        var t when t.Contains("List") || t.Contains("[]") => "an array",
        _ => "of another type",
    };

    [GeneratedRegex("The JSON property '(?<name>[^']*)' could not be mapped")]
    private static partial Regex UnmappedMember();

    [GeneratedRegex("could not be converted to (?<type>[^ .]+(\\.[^ .]+)*)")]
    private static partial Regex WrongType();
}
