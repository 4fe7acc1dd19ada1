using System.IO.Compression;
using AgentLedger.Server.Otlp.Proto;
using Google.Protobuf;
using Microsoft.AspNetCore.Http.Features;

namespace AgentLedger.Server.Otlp;

/// <summary>
/// Reads an export request: the encoding from Content-Type, gzip undone, and the size bounded after
/// decompression, where a small gzip body cannot hide a huge one.
/// </summary>
internal static class OtlpBody
{
    public const int MaxDecodedBytes = 16 * 1024 * 1024;

    // What arrives on the wire may be a little larger than its content when gzip cannot compress it.
    private const long MaxWireBytes = MaxDecodedBytes + (1024 * 1024);

    /// <summary>The decoded request, or the answer that refuses it.</summary>
    public static async Task<(ExportTraceServiceRequest? Request, OtlpEncoding Encoding, OtlpResult? Refusal)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (OtlpMedia.Of(request.ContentType) is not { } encoding)
        {
            return (null, OtlpEncoding.Json, OtlpResult.Error(StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type '{request.ContentType}' is not an OTLP encoding: send {OtlpMedia.Protobuf} or {OtlpMedia.Json}.", OtlpEncoding.Json));
        }
        var contentEncoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        if (contentEncoding is not ("" or "identity" or "gzip"))
        {
            return (null, encoding, OtlpResult.Error(StatusCodes.Status415UnsupportedMediaType,
                $"Content-Encoding '{contentEncoding}' is not supported: send the body as is or gzip-compressed.", encoding));
        }
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxWireBytes;
        }
        byte[] body;
        try
        {
            if (contentEncoding == "gzip")
            {
                await using var gzip = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
                body = await ReadBoundedAsync(gzip, cancellationToken);
            }
            else
            {
                body = await ReadBoundedAsync(request.Body, cancellationToken);
            }
        }
        catch (BodyTooLargeException)
        {
            return (null, encoding, TooLarge(encoding));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, encoding, TooLarge(encoding));
        }
        catch (InvalidDataException)
        {
            return (null, encoding, OtlpResult.Error(StatusCodes.Status400BadRequest, "The body is not valid gzip data although Content-Encoding says gzip.", encoding));
        }
        try
        {
            var decoded = encoding == OtlpEncoding.Protobuf ? ExportTraceServiceRequest.Parser.ParseFrom(body) : OtlpJsonReader.Read(body);
            return (decoded, encoding, null);
        }
        catch (InvalidProtocolBufferException e)
        {
            return (null, encoding, OtlpResult.Error(StatusCodes.Status400BadRequest, $"The body is not a protobuf ExportTraceServiceRequest: {e.Message}", encoding));
        }
        catch (OtlpDecodeException e)
        {
            return (null, encoding, OtlpResult.Error(StatusCodes.Status400BadRequest, $"The body is not an OTLP/JSON ExportTraceServiceRequest: {e.Message}", encoding));
        }
    }

    private static OtlpResult TooLarge(OtlpEncoding encoding) =>
        OtlpResult.Error(StatusCodes.Status413PayloadTooLarge, $"The request is larger than {MaxDecodedBytes / (1024 * 1024)} MiB once decompressed: send smaller batches. Nothing was recorded.", encoding);

    private static async Task<byte[]> ReadBoundedAsync(Stream source, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxDecodedBytes)
            {
                throw new BodyTooLargeException();
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private sealed class BodyTooLargeException : Exception;
}
