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
        if (DuplicateMember().Match(message) is { Success: true } duplicate)
        {
            return $"'{duplicate.Groups["name"].Value}' appears more than once.";
        }
        if (WrongType().Match(message) is { Success: true } wrong)
        {
            return $"{path ?? "the body"} must be {Expected(wrong.Groups["type"].Value, path)}.";
        }
        // The reader's syntax errors carry their own position; our converters' messages need the field.
        return path is null || message.Contains("Path:", StringComparison.Ordinal) ? message : $"{path}: {message}";
    }

    /// <summary>
    /// The serializer names the type it was building: a scalar type, or (for records bound through
    /// their constructor) the record that declares the field, whose property then gives the type.
    /// </summary>
    private static string Expected(string typeName, string? path)
    {
        var type = Type.GetType(typeName) ?? typeof(JsonErrors).Assembly.GetType(typeName);
        var field = path is null ? null : BracketIndex().Replace(path.Split('.')[^1], "");
        var property = type?.GetProperties().FirstOrDefault(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == field);
        return Describe(property?.PropertyType ?? type);
    }

    private static string Describe(Type? type)
    {
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            null => "of another type",
            _ when type == typeof(int) || type == typeof(long) => "a whole number within range",
            _ when type == typeof(double) => "a finite number",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(string) => "a string",
            _ when type == typeof(DateTimeOffset) => "an ISO-8601 time string such as \"2026-11-23T10:00:00Z\"",
            _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) => "an array",
            _ => "an object",
        };
    }

    [GeneratedRegex("The JSON property '(?<name>[^']*)' could not be mapped")]
    private static partial Regex UnmappedMember();

    [GeneratedRegex("Duplicate property '(?<name>[^']*)'")]
    private static partial Regex DuplicateMember();

    [GeneratedRegex("could not be converted to (?<type>\\S+?)\\.? Path:")]
    private static partial Regex WrongType();

    [GeneratedRegex("\\[\\d+\\]")]
    private static partial Regex BracketIndex();
}
