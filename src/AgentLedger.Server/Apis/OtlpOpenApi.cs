using Microsoft.OpenApi;

namespace AgentLedger.Server.Apis;

/// <summary>
/// The OTLP endpoint in the OpenAPI document. Its bodies are OTLP's, not this API's snake_case JSON: protobuf
/// (<c>application/x-protobuf</c>) or OTLP/JSON (lowerCamelCase keys, hex ids, 64-bit integers as strings), and
/// answers (the export response, or a google.rpc.Status for a refused body) in the request's encoding.
/// </summary>
internal static class OtlpOpenApi
{
    private const string Protobuf = "application/x-protobuf";
    private const string Json = "application/json";

    public static RouteHandlerBuilder WithOtlpDocumentation(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = "An OTLP ExportTraceServiceRequest, protobuf-encoded or as OTLP/JSON, optionally with Content-Encoding: gzip; at most 16 MiB decompressed.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [Protobuf] = new() { Schema = Binary() },
                    [Json] = new() { Schema = ExportRequestJson() },
                },
            };
            operation.Responses ??= [];
            operation.Responses["200"] = Answer(
                "Accepted. partialSuccess (OTLP/JSON: partialSuccess.rejectedSpans, errorMessage) counts the spans refused and says why; nothing of a refused span is recorded. Spans already recorded are accepted and not recorded again.",
                ExportResponseJson());
            operation.Responses["400"] = Answer("The body is not an ExportTraceServiceRequest of its Content-Type (a google.rpc.Status says why); exporters do not retry it.", StatusJson());
            operation.Responses["413"] = Answer("The body is larger than 16 MiB once decompressed; nothing was recorded.", StatusJson());
            operation.Responses["415"] = Answer($"The Content-Type is neither {Protobuf} nor {Json}, or the Content-Encoding is not gzip; the status is OTLP/JSON then.", StatusJson());
            return Task.CompletedTask;
        });

    private static OpenApiResponse Answer(string description, OpenApiSchema json) => new()
    {
        Description = description,
        Headers = new Dictionary<string, IOpenApiHeader>
        {
            ["Server-Timing"] = new OpenApiHeader { Description = "W3C Server Timing: app;dur=<milliseconds in the server>.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
        },
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [Protobuf] = new() { Schema = Binary() },
            [Json] = new() { Schema = json },
        },
    };

    private static OpenApiSchema Binary() => new() { Type = JsonSchemaType.String, Format = "binary" };

    private static OpenApiSchema Int64() => new()
    {
        Description = "A 64-bit integer: a decimal string (as OTLP/JSON writes it) or a number.",
        OneOf = [new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^-?[0-9]+$" }, new OpenApiSchema { Type = JsonSchemaType.Integer }],
    };

    private static OpenApiSchema Text() => new() { Type = JsonSchemaType.String };

    private static OpenApiSchema Obj(Dictionary<string, IOpenApiSchema> properties, string? description = null) =>
        new() { Type = JsonSchemaType.Object, Properties = properties, Description = description };

    private static OpenApiSchema Array(IOpenApiSchema items) => new() { Type = JsonSchemaType.Array, Items = items };

    private static OpenApiSchema ExportResponseJson() => Obj(new()
    {
        ["partialSuccess"] = Obj(new() { ["rejectedSpans"] = Int64(), ["errorMessage"] = Text() }),
    });

    private static OpenApiSchema StatusJson() => Obj(new()
    {
        ["code"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "The google.rpc.Code." },
        ["message"] = Text(),
    }, "A google.rpc.Status.");

    /// <summary>The keys AgentLedger reads; OTLP/JSON's other keys are accepted and ignored.</summary>
    private static OpenApiSchema ExportRequestJson()
    {
        var keyValues = Array(Obj(new()
        {
            ["key"] = Text(),
            ["value"] = Obj(new()
            {
                ["stringValue"] = Text(),
                ["boolValue"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
                ["intValue"] = Int64(),
                ["doubleValue"] = new OpenApiSchema { Type = JsonSchemaType.Number },
            }, "An AnyValue: one of its keys."),
        }));
        var hex = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[0-9a-fA-F]*$", Description = "Hexadecimal, either case." };
        var span = Obj(new()
        {
            ["traceId"] = hex,
            ["spanId"] = hex,
            ["parentSpanId"] = hex,
            ["name"] = Text(),
            ["kind"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["startTimeUnixNano"] = Int64(),
            ["endTimeUnixNano"] = Int64(),
            ["attributes"] = keyValues,
            ["events"] = Array(Obj(new() { ["timeUnixNano"] = Int64(), ["name"] = Text(), ["attributes"] = keyValues })),
            ["status"] = Obj(new() { ["code"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "0 unset, 1 ok, 2 error." }, ["message"] = Text() }),
        });
        return Obj(new()
        {
            ["resourceSpans"] = Array(Obj(new()
            {
                ["resource"] = Obj(new() { ["attributes"] = keyValues }),
                ["scopeSpans"] = Array(Obj(new()
                {
                    ["scope"] = Obj(new() { ["name"] = Text(), ["version"] = Text() }),
                    ["spans"] = Array(span),
                })),
            })),
        }, "OTLP/JSON: lowerCamelCase keys, hex ids, enums as integers, 64-bit integers as strings or numbers.");
    }
}
