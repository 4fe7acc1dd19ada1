using System.Globalization;
using System.Text.Json;
using AgentLedger.Server.Otlp.Proto;
using Google.Protobuf;

namespace AgentLedger.Server.Otlp;

/// <summary>
/// Reads OTLP/JSON into the same messages as the protobuf encoding. OTLP/JSON is not protobuf's canonical
/// JSON mapping (which Google.Protobuf's parser implements): trace and span ids are hex (in either case),
/// enums are integers, and 64-bit integers come as decimal strings or as numbers. Keys are lowerCamelCase;
/// the proto field names are accepted too, and unknown keys are ignored as the specification requires.
/// </summary>
internal static class OtlpJsonReader
{
    public static ExportTraceServiceRequest Read(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 128 });
            var root = Object(document.RootElement, "$");
            var request = new ExportTraceServiceRequest();
            foreach (var (resourceSpans, i) in Array(root, "$", "resourceSpans", "resource_spans"))
            {
                request.ResourceSpans.Add(ReadResourceSpans(resourceSpans, $"$.resourceSpans[{i}]"));
            }
            return request;
        }
        catch (JsonException e)
        {
            throw new OtlpDecodeException($"The body is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json reports invalid UTF-8 inside a string this way, when the string is read.
            throw new OtlpDecodeException($"The body is not valid UTF-8 JSON: {e.Message}");
        }
    }

    private static ResourceSpans ReadResourceSpans(JsonElement element, string path)
    {
        var result = new ResourceSpans();
        if (Property(element, "resource", "resource") is { } resource)
        {
            result.Resource = new Resource();
            result.Resource.Attributes.Add(Attributes(Object(resource, $"{path}.resource"), $"{path}.resource"));
        }
        foreach (var (scopeSpans, i) in Array(element, path, "scopeSpans", "scope_spans"))
        {
            var scopePath = $"{path}.scopeSpans[{i}]";
            var scope = new ScopeSpans();
            if (Property(scopeSpans, "scope", "scope") is { } s)
            {
                var scopeObject = Object(s, $"{scopePath}.scope");
                scope.Scope = new InstrumentationScope
                {
                    Name = String(scopeObject, $"{scopePath}.scope", "name", "name") ?? "",
                    Version = String(scopeObject, $"{scopePath}.scope", "version", "version") ?? "",
                };
            }
            foreach (var (span, j) in Array(scopeSpans, scopePath, "spans", "spans"))
            {
                scope.Spans.Add(ReadSpan(span, $"{scopePath}.spans[{j}]"));
            }
            result.ScopeSpans.Add(scope);
        }
        return result;
    }

    private static Span ReadSpan(JsonElement element, string path)
    {
        Object(element, path);
        var span = new Span
        {
            TraceId = Hex(element, path, "traceId", "trace_id"),
            SpanId = Hex(element, path, "spanId", "span_id"),
            ParentSpanId = Hex(element, path, "parentSpanId", "parent_span_id"),
            Name = String(element, path, "name", "name") ?? "",
            Kind = (int)(Integer(element, path, "kind", "kind") ?? 0),
            StartTimeUnixNano = Unsigned(element, path, "startTimeUnixNano", "start_time_unix_nano"),
            EndTimeUnixNano = Unsigned(element, path, "endTimeUnixNano", "end_time_unix_nano"),
        };
        span.Attributes.Add(Attributes(element, path));
        foreach (var (e, i) in Array(element, path, "events", "events"))
        {
            var eventPath = $"{path}.events[{i}]";
            var spanEvent = new Event
            {
                TimeUnixNano = Unsigned(Object(e, eventPath), eventPath, "timeUnixNano", "time_unix_nano"),
                Name = String(e, eventPath, "name", "name") ?? "",
            };
            spanEvent.Attributes.Add(Attributes(e, eventPath));
            span.Events.Add(spanEvent);
        }
        if (Property(element, "status", "status") is { } status)
        {
            var statusPath = $"{path}.status";
            Object(status, statusPath);
            span.Status = new SpanStatus
            {
                Message = String(status, statusPath, "message", "message") ?? "",
                Code = (int)(Integer(status, statusPath, "code", "code") ?? 0),
            };
        }
        return span;
    }

    private static IEnumerable<KeyValue> Attributes(JsonElement element, string path)
    {
        foreach (var (attribute, i) in Array(element, path, "attributes", "attributes"))
        {
            yield return KeyValue(attribute, $"{path}.attributes[{i}]");
        }
    }

    private static KeyValue KeyValue(JsonElement element, string path)
    {
        Object(element, path);
        var result = new KeyValue { Key = String(element, path, "key", "key") ?? "" };
        if (Property(element, "value", "value") is { } value)
        {
            result.Value = AnyValue(value, $"{path}.value");
        }
        return result;
    }

    private static AnyValue AnyValue(JsonElement element, string path)
    {
        Object(element, path);
        var value = new AnyValue();
        foreach (var property in element.EnumerateObject())
        {
            var at = $"{path}.{property.Name}";
            switch (property.Name)
            {
                case "stringValue" or "string_value":
                    value.StringValue = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : throw Wrong(at, "a string");
                    break;
                case "boolValue" or "bool_value":
                    value.BoolValue = property.Value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw Wrong(at, "true or false"),
                    };
                    break;
                case "intValue" or "int_value":
                    value.IntValue = ToInt64(property.Value, at);
                    break;
                case "doubleValue" or "double_value":
                    value.DoubleValue = ToDouble(property.Value, at);
                    break;
                case "bytesValue" or "bytes_value":
                    value.BytesValue = property.Value.ValueKind == JsonValueKind.String && property.Value.TryGetBytesFromBase64(out var bytes)
                        ? ByteString.CopyFrom(bytes)
                        : throw Wrong(at, "base64 text");
                    break;
                case "arrayValue" or "array_value":
                    var array = new ArrayValue();
                    foreach (var (item, i) in Array(Object(property.Value, at), at, "values", "values"))
                    {
                        array.Values.Add(AnyValue(item, $"{at}.values[{i}]"));
                    }
                    value.ArrayValue = array;
                    break;
                case "kvlistValue" or "kvlist_value":
                    var list = new KeyValueList();
                    foreach (var (item, i) in Array(Object(property.Value, at), at, "values", "values"))
                    {
                        list.Values.Add(KeyValue(item, $"{at}.values[{i}]"));
                    }
                    value.KvlistValue = list;
                    break;
            }
        }
        return value;
    }

    private static JsonElement? Property(JsonElement element, string camel, string snake) =>
        element.ValueKind == JsonValueKind.Object && (element.TryGetProperty(camel, out var value) || element.TryGetProperty(snake, out value))
        && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    private static JsonElement Object(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Object ? element : throw Wrong(path, "an object");

    private static IEnumerable<(JsonElement, int)> Array(JsonElement element, string path, string camel, string snake)
    {
        if (Property(element, camel, snake) is not { } array)
        {
            return [];
        }
        return array.ValueKind == JsonValueKind.Array ? array.EnumerateArray().Select((e, i) => (e, i)) : throw Wrong($"{path}.{camel}", "an array");
    }

    private static string? String(JsonElement element, string path, string camel, string snake) =>
        Property(element, camel, snake) is not { } value ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString() : throw Wrong($"{path}.{camel}", "a string");

    private static long? Integer(JsonElement element, string path, string camel, string snake) =>
        Property(element, camel, snake) is { } value ? ToInt64(value, $"{path}.{camel}") : null;

    private static ulong Unsigned(JsonElement element, string path, string camel, string snake)
    {
        if (Property(element, camel, snake) is not { } value)
        {
            return 0;
        }
        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetUInt64(out var n) => n,
            JsonValueKind.String when ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
            _ => throw Wrong($"{path}.{camel}", "an unsigned 64-bit integer (a number or a decimal string)"),
        };
    }

    private static long ToInt64(JsonElement value, string path) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var n) => n,
        JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
        _ => throw Wrong(path, "a 64-bit integer (a number or a decimal string)"),
    };

    private static double ToDouble(JsonElement value, string path) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        // Protobuf's JSON mapping writes non-finite doubles and may quote any double.
        JsonValueKind.String when value.GetString() is { } s && (s is "NaN" or "Infinity" or "-Infinity"
            || double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) =>
            s switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, _ => double.Parse(s, CultureInfo.InvariantCulture) },
        _ => throw Wrong(path, "a number"),
    };

    /// <summary>Ids are hex in OTLP/JSON (not base64 as in protobuf's JSON mapping); an empty string is no id.</summary>
    private static ByteString Hex(JsonElement element, string path, string camel, string snake)
    {
        var text = String(element, path, camel, snake);
        if (string.IsNullOrEmpty(text))
        {
            return ByteString.Empty;
        }
        try
        {
            return ByteString.CopyFrom(Convert.FromHexString(text));
        }
        catch (FormatException)
        {
            throw Wrong($"{path}.{camel}", "hexadecimal digits");
        }
    }

    private static OtlpDecodeException Wrong(string path, string expected) => new($"{path} must be {expected}.");
}

/// <summary>A body that cannot be decoded as OTLP: answered 400, which exporters do not retry.</summary>
internal sealed class OtlpDecodeException(string message) : Exception(message);
