using System.Globalization;
using AgentLedger.Server.Otlp.Proto;

namespace AgentLedger.Server.Otlp;

/// <summary>A span's (or resource's) attributes by key: the last value of a repeated key wins.</summary>
internal sealed class SpanAttributes
{
    private readonly Dictionary<string, AnyValue> _values = new(StringComparer.Ordinal);

    public SpanAttributes(IEnumerable<KeyValue>? attributes)
    {
        foreach (var attribute in attributes ?? [])
        {
            if (attribute.Value is { } value)
            {
                _values[attribute.Key] = value;
            }
        }
    }

    public IEnumerable<KeyValuePair<string, AnyValue>> All => _values;

    /// <summary>The first of <paramref name="keys"/> present as text (numbers and booleans are written as text).</summary>
    public string? Text(params string[] keys)
    {
        foreach (var key in keys)
        {
            if (_values.TryGetValue(key, out var value) && AsText(value) is { Length: > 0 } text)
            {
                return text;
            }
        }
        return null;
    }

    /// <summary>The first of <paramref name="keys"/> present as a finite number (integers, doubles, or numeric text).</summary>
    public double? Number(params string[] keys)
    {
        foreach (var key in keys)
        {
            if (!_values.TryGetValue(key, out var value))
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
