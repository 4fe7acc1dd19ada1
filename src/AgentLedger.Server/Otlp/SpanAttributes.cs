using System.Globalization;
using AgentLedger.Server.Otlp.Proto;

namespace AgentLedger.Server.Otlp;

/// <summary>
/// A span's (or resource's) attributes by key: the last value of a repeated key wins. Spans carry a handful of
/// attributes and are asked for a dozen keys, so lookups scan the list itself (from its end) instead of building
/// a dictionary for each of a batch's thousands of spans.
/// </summary>
internal sealed class SpanAttributes(IReadOnlyList<KeyValue>? attributes)
{
    private readonly IReadOnlyList<KeyValue> _attributes = attributes ?? [];

    /// <summary>Each key once, with its last value.</summary>
    public IEnumerable<KeyValuePair<string, AnyValue>> All
    {
        get
        {
            var values = new Dictionary<string, AnyValue>(StringComparer.Ordinal);
            foreach (var attribute in _attributes)
            {
                if (attribute.Value is { } value)
                {
                    values[attribute.Key] = value;
                }
            }
            return values;
        }
    }

    /// <summary>The first of <paramref name="keys"/> present as text (numbers and booleans are written as text).</summary>
    public string? Text(params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
        {
            if (Find(key) is { } value && AsText(value) is { Length: > 0 } text)
            {
                return text;
            }
        }
        return null;
    }

    /// <summary>The first of <paramref name="keys"/> present as a finite number (integers, doubles, or numeric text).</summary>
    public double? Number(params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
        {
            if (Find(key) is not { } value)
            {
                continue;
            }
            double? number = value.ValueCase switch
            {
                AnyValue.ValueOneofCase.IntValue => value.IntValue,
                AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue,
                AnyValue.ValueOneofCase.StringValue when double.TryParse(value.StringValue, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => null,
            };
            if (number is { } n && double.IsFinite(n))
            {
                return n;
            }
        }
        return null;
    }

    private AnyValue? Find(string key)
    {
        for (var i = _attributes.Count - 1; i >= 0; i--)
        {
            if (_attributes[i] is { Value: { } value } attribute && attribute.Key == key)
            {
                return value;
            }
        }
        return null;
    }

    public static string? AsText(AnyValue value) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.ArrayValue or AnyValue.ValueOneofCase.KvlistValue => Google.Protobuf.JsonFormatter.Default.Format(value),
        _ => null,
    };
}
