using System.Text.Json;
using System.Text.Json.Nodes;
using static System.FormattableString;

namespace AgentLedger.Commons.Agents;

/// <summary>Per-field problems found in an agent's config, keyed by the field's path (e.g. <c>weights.time</c>).</summary>
public sealed class ConfigErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }
        messages.Add(message);
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.Ordinal);

    public override string ToString() =>
        string.Join("; ", _errors.Select(pair => $"{pair.Key} {string.Join(", ", pair.Value)}"));
}

/// <summary>
/// Reads config values over their defaults. A missing key means the default; a present key of the
/// wrong type or range is an error. Reading goes on after an error (with the default) so one
/// validation reports every bad field at once. Keys nobody asks for are ignored, because the runner
/// keeps its own keys (e.g. <c>proposal_ttl_hours</c>) in the same object.
/// </summary>
/// <remarks>
/// A describing reader (<see cref="Describing"/>) reads nothing and writes each key it is asked for,
/// with its type, range and default, into a JSON Schema: the published schema of an agent's config is
/// made by the very calls that check it, so the two cannot disagree.
/// </remarks>
public sealed class ConfigReader
{
    private readonly JsonElement _config;
    private readonly ConfigErrors _errors;
    private readonly string _prefix;
    private readonly JsonObject? _schema;

    public ConfigReader(JsonElement config, ConfigErrors errors) : this(config, errors, "", null)
    {
    }

    private ConfigReader(JsonElement config, ConfigErrors errors, string prefix, JsonObject? schema)
    {
        _errors = errors;
        _prefix = prefix;
        _schema = schema;
        if (config.ValueKind == JsonValueKind.Object)
        {
            _config = config;
        }
        else if (config.ValueKind != JsonValueKind.Undefined)
        {
            errors.Add(prefix.Length == 0 ? "config" : prefix.TrimEnd('.'), "must be a JSON object");
        }
    }

    /// <summary>A reader that fills <paramref name="schema"/> (an object schema) with the keys asked for.</summary>
    public static ConfigReader Describing(JsonObject schema) => new(default, new ConfigErrors(), "", schema);

    public double Number(string key, double fallback, double min, double max, bool minExclusive = false)
    {
        Describe(key, "number", fallback, min, max, minExclusive);
        if (!TryGet(key, out var value))
        {
            return fallback;
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
            && (minExclusive ? number > min : number >= min) && number <= max)
        {
            return number;
        }
        _errors.Add(_prefix + key, Invariant($"must be a number in {(minExclusive ? "(" : "[")}{min}, {max}]"));
        return fallback;
    }

    public int Integer(string key, int fallback, int min, int max)
    {
        Describe(key, "integer", fallback, min, max, minExclusive: false);
        if (!TryGet(key, out var value))
        {
            return fallback;
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max)
        {
            return number;
        }
        _errors.Add(_prefix + key, Invariant($"must be a whole number in [{min}, {max}]"));
        return fallback;
    }

    /// <summary>A reader over a nested object, or null when the key is absent (or, with an error, not an object).</summary>
    public ConfigReader? Object(string key)
    {
        if (_schema is not null)
        {
            var nested = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
            Properties(_schema)[key] = nested;
            return new ConfigReader(default, _errors, $"{_prefix}{key}.", nested);
        }
        if (!TryGet(key, out var value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            _errors.Add(_prefix + key, "must be a JSON object");
            return null;
        }
        return new ConfigReader(value, _errors, $"{_prefix}{key}.", null);
    }

    /// <summary>Inside a nested object an unknown key is most likely a typo, so it is refused there.</summary>
    public void RejectUnknownKeys(params string[] known)
    {
        if (_schema is not null)
        {
            _schema["additionalProperties"] = false;
        }
        if (_config.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        foreach (var property in _config.EnumerateObject().Where(p => !known.Contains(p.Name, StringComparer.Ordinal)))
        {
            _errors.Add(_prefix + property.Name, $"is not a known key; expected one of {string.Join(", ", known)}");
        }
    }

    public void Error(string key, string message) => _errors.Add(_prefix + key, message);

    private void Describe(string key, string type, double fallback, double min, double max, bool minExclusive)
    {
        if (_schema is null)
        {
            return;
        }
        var property = new JsonObject { ["type"] = type, [minExclusive ? "exclusiveMinimum" : "minimum"] = min, ["maximum"] = max, ["default"] = fallback };
        Properties(_schema)[key] = property;
    }

    private static JsonObject Properties(JsonObject schema) =>
        schema["properties"] as JsonObject ?? (JsonObject)(schema["properties"] = new JsonObject());

    private bool TryGet(string key, out JsonElement value)
    {
        value = default;
        return _config.ValueKind == JsonValueKind.Object && _config.TryGetProperty(key, out value);
    }
}
