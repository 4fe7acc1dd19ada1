using AgentLedger.Server.Otlp.Proto;
using Google.Protobuf;

namespace AgentLedger.Server.Otlp;

/// <summary>The two OTLP/HTTP encodings. An answer uses the request's, as the specification requires.</summary>
internal enum OtlpEncoding
{
    Protobuf,
    Json,
}

internal static class OtlpMedia
{
    public const string Protobuf = "application/x-protobuf";
    public const string Json = "application/json";

    /// <summary>The encoding a Content-Type names (parameters such as charset ignored); null for any other type.</summary>
    public static OtlpEncoding? Of(string? contentType)
    {
        var media = (contentType ?? "").Split(';', 2)[0].Trim();
        return media.ToLowerInvariant() switch
        {
            Protobuf or "application/protobuf" => OtlpEncoding.Protobuf,
            Json => OtlpEncoding.Json,
            _ => null,
        };
    }

    public static string ContentType(OtlpEncoding encoding) => encoding == OtlpEncoding.Protobuf ? Protobuf : Json;

    public static byte[] Encode(IMessage message, OtlpEncoding encoding) =>
        encoding == OtlpEncoding.Protobuf
            ? message.ToByteArray()
            : System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(message));
}

/// <summary>An OTLP answer: the export response or a google.rpc.Status, in the request's encoding.</summary>
internal sealed class OtlpResult(int statusCode, IMessage message, OtlpEncoding encoding, int? retryAfterSeconds = null) : IResult
{
    public int StatusCode => statusCode;

    public IMessage Message => message;

    public static OtlpResult Error(int statusCode, string text, OtlpEncoding encoding) =>
        new(statusCode, new RpcStatus { Code = RpcCode(statusCode), Message = text }, encoding);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var body = OtlpMedia.Encode(message, encoding);
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = OtlpMedia.ContentType(encoding);
        httpContext.Response.ContentLength = body.Length;
        if (retryAfterSeconds is { } seconds)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        await httpContext.Response.Body.WriteAsync(body, httpContext.RequestAborted);
    }

    // google.rpc.Code for the HTTP statuses answered here.
    private static int RpcCode(int statusCode) => statusCode switch
    {
        StatusCodes.Status400BadRequest => 3,            // INVALID_ARGUMENT
        StatusCodes.Status413PayloadTooLarge => 11,      // OUT_OF_RANGE
        StatusCodes.Status415UnsupportedMediaType => 3,
        StatusCodes.Status404NotFound => 5,              // NOT_FOUND
        _ => 2,                                          // UNKNOWN
    };
}
