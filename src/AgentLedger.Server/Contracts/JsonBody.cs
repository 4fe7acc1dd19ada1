using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using AgentLedger.Core.Common;
using AgentLedger.Server.Json;

namespace AgentLedger.Server.Contracts;

/// <summary>
/// Reads a request body into a contract record so that one refusal names every mistake: the
/// serializer stops at the first unknown field or wrong type, so the body is first checked against
/// the record's shape (unknown and duplicate fields, JSON types, NaN/Infinity), the fields in error
/// are dropped, and the rest is bound so that the contract's rules can add their own findings.
/// Syntax errors (nothing past them can be read) are answered alone, in a sentence that says the fix.
/// </summary>
public sealed class JsonBody<T> where T : class
{
    public const string NanAdvice = "NaN and Infinity are not valid JSON numbers; send null or a finite number (Python: json.dumps(..., allow_nan=False))";

    // Bare NaN/Infinity tokens become this string before parsing, so the shape check can name their field.
    private const string NanMarker = "\u0000agentledger:not-a-number";

    private JsonBody(T? value, IReadOnlyDictionary<string, string[]> errors)
    {
        Value = value;
        Errors = errors;
    }

    /// <summary>The bound record (fields in error left out); null for an empty optional body.</summary>
    public T? Value { get; }

    /// <summary>Shape errors by JSON path; the contract's rules add theirs before anything is refused.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    public static async Task<JsonBody<T>> ReadAsync(HttpRequest request, bool optional, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.ToArray();
        if (bytes.Length == 0)
        {
            return optional ? new JsonBody<T>(null, new Dictionary<string, string[]>()) : throw Syntax("A JSON object is required as the request body.");
        }
        if (!IsJson(request.ContentType))
        {
            throw new BadHttpRequestException(
                $"The body must be JSON sent with 'Content-Type: application/json' (got {(request.ContentType is { Length: > 0 } type ? $"'{type}'" : "no Content-Type")}).",
                StatusCodes.Status415UnsupportedMediaType);
        }
        if (!Utf8.IsValid(bytes))
        {
            throw Syntax($"The body is not valid UTF-8 (first bad byte at offset {FirstInvalidUtf8(bytes)}); send JSON encoded as UTF-8 (Python: json.dumps(...).encode('utf-8')).");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(MarkNonNumbers(bytes), new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw Syntax(DescribeSyntax(e, bytes));
        }
        using (document)
        {
            var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Syntax($"The body must be a JSON object, not {Kind(document.RootElement)}.");
            }
            var kept = Shape(document.RootElement, typeof(T), "", errors);
            T? value;
            try
            {
                value = kept.Node.Deserialize<T>(LedgerJson.Options);
            }
            catch (JsonException e)
            {
                // The shape check mirrors what the serializer accepts; should they ever differ, the serializer's word stands.
                Add(errors, e.Path is { Length: > 1 } p ? p.TrimStart('$', '.') : "$", e.Message);
                value = null;
            }
            return new JsonBody<T>(value, errors.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal));
        }
    }

    private static bool IsJson(string? contentType) =>
        contentType is { } type && (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || type.Split(';')[0].Trim().EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static ValidationException Syntax(string message) => new(new Dictionary<string, string[]> { ["$"] = [message] });

    private readonly record struct Kept(JsonNode? Node, bool Ok);

    /// <summary>Checks <paramref name="element"/> against <paramref name="type"/>, recording errors and returning what binds.</summary>
    private static Kept Shape(JsonElement element, Type type, string path, Dictionary<string, List<string>> errors)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (element.ValueKind == JsonValueKind.String && element.GetString() == NanMarker)
        {
            Add(errors, path, NanAdvice);
            return default;
        }
        if (type == typeof(JsonElement))
        {
            var found = false;
            foreach (var at in NonNumbers(element, path))
            {
                Add(errors, at, NanAdvice);
                found = true;
            }
            return found ? default : new(JsonNode.Parse(element.GetRawText()), true);
        }
        if (element.ValueKind == JsonValueKind.Null)
        {
            // Absent and null mean the same for every optional field; a required one is the rules' to name.
            return type == typeof(double) ? Wrong(path, "a finite number", element, errors) : new(null, true);
        }
        if (type == typeof(string))
        {
            return element.ValueKind == JsonValueKind.String ? Keep(element) : Wrong(path, "a string", element, errors);
        }
        if (type == typeof(Guid))
        {
            return element.ValueKind == JsonValueKind.String && Guid.TryParse(element.GetString(), out _)
                ? Keep(element)
                : Wrong(path, "a UUID string such as \"0192f0c4-6f1e-7c4b-9a57-3f2d1e0b5a11\"", element, errors);
        }
        if (type == typeof(int) || type == typeof(long))
        {
            var whole = element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var n) && (type == typeof(long) || n is >= int.MinValue and <= int.MaxValue);
            return whole ? Keep(element) : Wrong(path, "a whole number within range", element, errors);
        }
        if (type == typeof(double))
        {
            return element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var d) && double.IsFinite(d)
                ? Keep(element)
                : Wrong(path, "a finite number", element, errors);
        }
        if (type == typeof(bool))
        {
            return element.ValueKind is JsonValueKind.True or JsonValueKind.False ? Keep(element) : Wrong(path, "true or false", element, errors);
        }
        if (type == typeof(DateTimeOffset))
        {
            return element.ValueKind == JsonValueKind.String && UtcDateTimeOffsetConverter.TryParse(element.GetString(), out _)
                ? Keep(element)
                : Wrong(path, "an ISO-8601 time with a UTC offset, such as \"2026-11-23T10:00:00Z\"", element, errors);
        }
        if (ElementOf(type, typeof(IReadOnlyList<>)) is { } item)
        {
            if (element.ValueKind != JsonValueKind.Array)
            {
                return Wrong(path, "an array", element, errors);
            }
            var array = new JsonArray();
            var index = 0;
            foreach (var entry in element.EnumerateArray())
            {
                var kept = Shape(entry, item, $"{path}[{index++}]", errors);
                if (kept.Ok)
                {
                    array.Add(kept.Node);
                }
            }
            return new(array, true);
        }
        if (ElementOf(type, typeof(IReadOnlyDictionary<,>)) is { } value)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return Wrong(path, "an object", element, errors);
            }
            var map = new JsonObject();
            foreach (var property in element.EnumerateObject())
            {
                var at = Join(path, property.Name);
                if (map.ContainsKey(property.Name))
                {
                    Add(errors, at, "appears more than once");
                    continue;
                }
                var kept = Shape(property.Value, value, at, errors);
                if (kept.Ok)
                {
                    map[property.Name] = kept.Node;
                }
            }
            return new(map, true);
        }
        return Record(element, type, path, errors);
    }

    private static Kept Record(JsonElement element, Type type, string path, Dictionary<string, List<string>> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return Wrong(path, "an object", element, errors);
        }
        var fields = Fields(type);
        var record = new JsonObject();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var at = Join(path, property.Name);
            if (!seen.Add(property.Name))
            {
                Add(errors, at, "appears more than once");
                record.Remove(property.Name);
                continue;
            }
            if (!fields.TryGetValue(property.Name, out var fieldType))
            {
                Add(errors, at, $"is not a known field{Suggestion(property.Name, fields.Keys)} (a misspelt field is refused rather than ignored)");
                continue;
            }
            var kept = Shape(property.Value, fieldType, at, errors);
            if (kept.Ok)
            {
                record[property.Name] = kept.Node;
            }
        }
        return new(record, true);
    }

    private static Dictionary<string, Type> Fields(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null)
            .ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name), p => p.PropertyType, StringComparer.Ordinal);

    /// <summary>Names the field meant when the one sent is one or two edits away from it.</summary>
    private static string Suggestion(string name, IEnumerable<string> known)
    {
        var best = known.Select(k => (Name: k, Distance: Distance(name.ToLowerInvariant(), k))).OrderBy(k => k.Distance).FirstOrDefault();
        return best.Name is not null && best.Distance <= 2 ? $" (did you mean '{best.Name}'?)" : "";
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }
        return row[b.Length];
    }

    private static Type? ElementOf(Type type, Type generic)
    {
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != generic)
        {
            return null;
        }
        return type.GetGenericArguments()[^1];
    }

    private static Kept Keep(JsonElement element) => new(JsonNode.Parse(element.GetRawText()), true);

    private static Kept Wrong(string path, string expected, JsonElement element, Dictionary<string, List<string>> errors)
    {
        Add(errors, path, $"must be {expected}, not {Kind(element)}");
        return default;
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => element.TryGetInt64(out _) || !element.GetRawText().Any(c => c is '.' or 'e' or 'E') ? "a number out of range" : "a fractional number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static void Add(Dictionary<string, List<string>> errors, string path, string message)
    {
        var key = path.Length == 0 ? "$" : path;
        if (!errors.TryGetValue(key, out var list))
        {
            errors[key] = list = [];
        }
        list.Add(message);
    }

    private static IEnumerable<string> NonNumbers(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String when element.GetString() == NanMarker:
                yield return path.Length == 0 ? "$" : path;
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    foreach (var at in NonNumbers(property.Value, Join(path, property.Name)))
                    {
                        yield return at;
                    }
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var at in NonNumbers(item, $"{path}[{index++}]"))
                    {
                        yield return at;
                    }
                }
                break;
        }
    }

    /// <summary>
    /// Rewrites bare NaN, Infinity and -Infinity in value position (what Python's json.dumps writes by
    /// default) as a marker string; the text inside strings is left alone.
    /// </summary>
    private static byte[] MarkNonNumbers(byte[] bytes)
    {
        var marker = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(NanMarker));
        var output = new List<byte>(bytes.Length);
        var inString = false;
        var lastSignificant = (byte)0;
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (inString)
            {
                output.Add(b);
                if (b == '\\' && i + 1 < bytes.Length)
                {
                    output.Add(bytes[++i]);
                }
                else if (b == '"')
                {
                    inString = false;
                    lastSignificant = b;
                }
                continue;
            }
            if (lastSignificant is (byte)':' or (byte)'[' or (byte)',' && Token(bytes, i) is { } length)
            {
                output.AddRange(marker);
                i += length - 1;
                lastSignificant = (byte)'"';
                continue;
            }
            output.Add(b);
            if (b == '"')
            {
                inString = true;
            }
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                lastSignificant = b;
            }
        }
        return [.. output];
    }

    private static int? Token(byte[] bytes, int at)
    {
        foreach (var word in NonNumberWords)
        {
            if (at + word.Length <= bytes.Length && bytes.AsSpan(at, word.Length).SequenceEqual(word)
                && (at + word.Length == bytes.Length || !char.IsAsciiLetterOrDigit((char)bytes[at + word.Length])))
            {
                return word.Length;
            }
        }
        return null;
    }

    private static readonly byte[][] NonNumberWords = [.. new[] { "NaN", "Infinity", "-Infinity", "+Infinity", "-NaN" }.Select(Encoding.ASCII.GetBytes)];

    private static int FirstInvalidUtf8(byte[] bytes)
    {
        for (var length = 1; length <= bytes.Length; length++)
        {
            if (!Utf8.IsValid(bytes.AsSpan(0, length)) && (length == bytes.Length || !Utf8.IsValid(bytes.AsSpan(0, Math.Min(bytes.Length, length + 3)))))
            {
                // The prefix may end inside a valid multi-byte character; it is invalid only if no continuation fixes it.
                var start = length - 1;
                while (start > 0 && (bytes[start] & 0xC0) == 0x80)
                {
                    start--;
                }
                return start;
            }
        }
        return bytes.Length;
    }

    /// <summary>The parser's finding as a sentence that names the place and the fix.</summary>
    private static string DescribeSyntax(JsonException e, byte[] bytes)
    {
        var line = (e.LineNumber ?? 0) + 1;
        var position = (e.BytePositionInLine ?? 0) + 1;
        var offset = Offset(bytes, e.LineNumber ?? 0, e.BytePositionInLine ?? 0);
        var at = $"line {line}, position {position}";
        var next = offset < bytes.Length ? (char)bytes[offset] : '\0';
        var message = e.Message;
        if (message.Contains("trailing comma", StringComparison.OrdinalIgnoreCase))
        {
            return $"The body has a trailing comma before a closing bracket or brace ({at}); JSON allows none, so remove it.";
        }
        if (next == '/' || message.Contains("comment", StringComparison.OrdinalIgnoreCase))
        {
            return $"The body contains a comment ({at}); JSON has no comments, so remove them.";
        }
        if (next == '\'')
        {
            return $"The body uses single quotes ({at}); JSON strings and field names need double quotes (Python: json.dumps, not str or repr).";
        }
        if (offset >= bytes.Length || message.Contains("end of data", StringComparison.OrdinalIgnoreCase) && offset >= bytes.Length - 1
            || message.Contains("Expected depth to be zero", StringComparison.Ordinal))
        {
            return $"The body ends before the JSON document is complete ({at}): it looks truncated; send the whole document.";
        }
        if (message.Contains("after a single JSON value", StringComparison.Ordinal) || message.Contains("Expected end of data", StringComparison.Ordinal))
        {
            return $"The body has more after the end of its JSON object ({at}); send exactly one JSON object.";
        }
        var first = message.Split(" LineNumber:", 2)[0].Split(" Path:", 2)[0].TrimEnd('.', ' ');
        return $"The body is not valid JSON at {at}: {first}.";
    }

    private static int Offset(byte[] bytes, long line, long position)
    {
        var offset = 0;
        for (var l = 0L; l < line && offset < bytes.Length; offset++)
        {
            if (bytes[offset] == '\n')
            {
                l++;
            }
        }
        return (int)Math.Min(bytes.Length, offset + position);
    }
}
