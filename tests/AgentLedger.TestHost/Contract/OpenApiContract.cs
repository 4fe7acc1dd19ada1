using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace AgentLedger.TestHost.Contract;

/// <summary>
/// The served OpenAPI document as a checker of answers: which operation a request hit, and whether
/// the status, content type, headers and JSON body of its answer are what the document promises.
/// Parsed once per process; JSON Schema evaluation is JsonSchema.Net's, with formats enforced.
/// </summary>
public sealed partial class OpenApiContract
{
    // Refs inside the document ("#/components/schemas/X") resolve against this base URI.
    private static readonly Uri DocumentUri = new("https://agentledger.test/openapi/v1.json");

    // Headers a client acts on: when the server sends one, the document must declare it.
    private static readonly string[] ContractHeaders = ["Location", "Retry-After", "Server-Timing"];

    private static readonly EvaluationOptions Evaluation = new() { RequireFormatValidation = true, OutputFormat = OutputFormat.Hierarchical };

    private readonly JsonElement _root;
    private readonly BuildOptions _build;
    private readonly IReadOnlyList<(Regex Pattern, string Template, int Literals)> _paths;
    private readonly Dictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public OpenApiContract(string documentJson)
    {
        _root = JsonDocument.Parse(documentJson).RootElement.Clone();
        var registry = new SchemaRegistry();
        registry.Register(DocumentUri, new JsonElementBaseDocument(_root, DocumentUri));
        _build = new BuildOptions { SchemaRegistry = registry };
        // Literal segments win over parameters, as in routing: /api/agents/stats before /api/agents/{name}.
        _paths = [.. _root.GetProperty("paths").EnumerateObject()
            .Select(p => (new Regex("^" + PathParameter().Replace(Regex.Escape(p.Name).Replace("\\{", "{", StringComparison.Ordinal), "[^/]+") + "$", RegexOptions.CultureInvariant), p.Name,
                p.Name.Split('/').Count(s => !s.StartsWith('{'))))
            .OrderByDescending(p => p.Item3)];
    }

    /// <summary>What the document says about an answer; an empty list when it says the truth.</summary>
    public IReadOnlyList<string> Check(string method, string path, int status, string? contentType, IReadOnlyDictionary<string, string> headers, ReadOnlyMemory<byte> body)
    {
        var template = _paths.FirstOrDefault(p => p.Pattern.IsMatch(path)).Template;
        if (template is null)
        {
            // Routing's own 404/405 for a path no endpoint has is not an operation's answer.
            return status is 404 or 405 ? [] : [$"{method} {path} answered {status} but no path of the document matches it"];
        }
        var pointer = $"/paths/{Escape(template)}/{method.ToLowerInvariant()}";
        if (!_root.GetProperty("paths").GetProperty(template).TryGetProperty(method.ToLowerInvariant(), out var operation))
        {
            return status == 405 ? [] : [$"{method} {template} answered {status} but the document has no {method} operation there"];
        }
        var responses = operation.GetProperty("responses");
        var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var key = responses.TryGetProperty(code, out _) ? code : responses.TryGetProperty($"{code[0]}XX", out _) ? $"{code[0]}XX" : responses.TryGetProperty("default", out _) ? "default" : null;
        if (key is null)
        {
            return [$"{method} {template} answered {status}, which the document does not list (it lists {string.Join(", ", responses.EnumerateObject().Select(r => r.Name))})"];
        }
        var response = Resolve(responses.GetProperty(key));
        var problems = new List<string>();
        CheckHeaders(method, template, status, response, headers, problems);
        var mediaType = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        var content = response.TryGetProperty("content", out var c) ? c : default;
        if (body.IsEmpty)
        {
            if (content.ValueKind == JsonValueKind.Object && content.EnumerateObject().Any() && method != "HEAD")
            {
                problems.Add($"{method} {template} {status}: empty body, the document promises {string.Join(", ", content.EnumerateObject().Select(m => m.Name))}");
            }
            return problems;
        }
        if (content.ValueKind != JsonValueKind.Object || mediaType is null || !content.TryGetProperty(mediaType, out var media))
        {
            problems.Add($"{method} {template} {status}: content type '{contentType}' is not documented"
                + (content.ValueKind == JsonValueKind.Object ? $" (documented: {string.Join(", ", content.EnumerateObject().Select(m => m.Name))})" : " (no content documented)"));
            return problems;
        }
        if (!media.TryGetProperty("schema", out _))
        {
            return problems;
        }
        var schemaPointer = $"{pointer}/responses/{Escape(key)}/content/{Escape(mediaType)}/schema";
        if (IsJson(mediaType))
        {
            JsonElement instance;
            try
            {
                instance = JsonDocument.Parse(body).RootElement;
            }
            catch (JsonException ex)
            {
                problems.Add($"{method} {template} {status}: body is not JSON ({ex.Message})");
                return problems;
            }
            problems.AddRange(Validate(schemaPointer, instance).Select(e => $"{method} {template} {status}: {e}"));
        }
        return problems;
    }

    private void CheckHeaders(string method, string template, int status, JsonElement response, IReadOnlyDictionary<string, string> headers, List<string> problems)
    {
        var declared = response.TryGetProperty("headers", out var h) ? h.EnumerateObject().ToDictionary(x => x.Name, x => Resolve(x.Value), StringComparer.OrdinalIgnoreCase) : [];
        foreach (var name in ContractHeaders.Where(headers.ContainsKey).Where(n => !declared.ContainsKey(n)))
        {
            problems.Add($"{method} {template} {status}: sends header {name}, which the document does not declare");
        }
        foreach (var (name, header) in declared)
        {
            if (!headers.TryGetValue(name, out var value))
            {
                if (header.TryGetProperty("required", out var required) && required.GetBoolean())
                {
                    problems.Add($"{method} {template} {status}: required header {name} is missing");
                }
                continue;
            }
            if (header.TryGetProperty("schema", out var schema) && schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "integer"
                && !long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                problems.Add($"{method} {template} {status}: header {name} '{value}' is not an integer");
            }
        }
    }

    /// <summary>What the component schema <paramref name="componentId"/> says about a JSON value; empty when it holds.</summary>
    public IReadOnlyList<string> CheckComponent(string componentId, JsonElement instance) =>
        [.. Validate($"/components/schemas/{Escape(componentId)}", instance)];

    private IEnumerable<string> Validate(string schemaPointer, JsonElement instance)
    {
        JsonSchema schema;
        lock (_lock)
        {
            if (!_schemas.TryGetValue(schemaPointer, out schema!))
            {
                // The operation's schema with its refs made absolute, so they resolve into the registered document.
                var node = JsonNode.Parse(Resolve(schemaPointer).GetRawText())!;
                Absolutize(node);
                schema = JsonSchema.Build(JsonSerializer.SerializeToElement(node), _build, new Uri($"https://agentledger.test/check/{_schemas.Count}"));
                _schemas[schemaPointer] = schema;
            }
        }
        var result = schema.Evaluate(instance, Evaluation);
        if (result.IsValid)
        {
            return [];
        }
        return Failures(result)
            .Select(d => $"{(d.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: "
                + (d.Errors is { Count: > 0 } ? string.Join("; ", d.Errors.Select(e => $"{e.Key}: {e.Value}")) : "fails") + $" (schema {d.EvaluationPath})")
            .DefaultIfEmpty("the body does not match the schema")
            .Take(20);
    }

    // The deepest failing evaluations are the ones that say what is wrong.
    private static IEnumerable<EvaluationResults> Failures(EvaluationResults result)
    {
        var failed = (result.Details ?? []).Where(d => !d.IsValid).ToList();
        return failed.Count == 0 ? [result] : failed.SelectMany(Failures);
    }

    private JsonElement Resolve(string pointer) =>
        pointer[1..].Split('/').Aggregate(_root, (node, segment) => node.GetProperty(segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)));

    private static void Absolutize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["$ref"] is JsonValue value && value.GetValue<string>() is { } target && target.StartsWith('#'))
                {
                    obj["$ref"] = DocumentUri + target;
                }
                foreach (var (_, child) in obj.ToList())
                {
                    Absolutize(child);
                }
                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Absolutize(child);
                }
                break;
        }
    }

    private JsonElement Resolve(JsonElement element)
    {
        while (element.TryGetProperty("$ref", out var reference) && reference.GetString() is { } target && target.StartsWith("#/", StringComparison.Ordinal))
        {
            element = Resolve(target[1..]);
        }
        return element;
    }

    private static bool IsJson(string mediaType) => mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal);

    private static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    [GeneratedRegex(@"\{[^/}]+\}")]
    private static partial Regex PathParameter();
}
