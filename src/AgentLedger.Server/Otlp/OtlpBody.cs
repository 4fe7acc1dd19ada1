using System.Buffers;
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
        // The body is read into a pooled buffer: a batch of 512 agent runs is about half a megabyte, and fresh arrays
        // of that size per request (a growing MemoryStream, then its copy) live on the large object heap, whose churn
        // had background gen-2 collections take a tenth of the server's CPU under OTLP load.
        using var body = new PooledBody(request.ContentLength is > 0 and <= MaxDecodedBytes && contentEncoding != "gzip" ? (int)request.ContentLength.Value : 0);
        try
        {
            if (contentEncoding == "gzip")
            {
                await using var gzip = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
                await body.ReadAllAsync(gzip, cancellationToken);
            }
            else
            {
                await body.ReadAllAsync(request.Body, cancellationToken);
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
            // Both decoders copy what they keep, so the buffer can go back to the pool afterwards.
            var decoded = encoding == OtlpEncoding.Protobuf ? ExportTraceServiceRequest.Parser.ParseFrom(body.Span) : OtlpJsonReader.Read(body.Memory);
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

    /// <summary>A body read into arrays rented from the shared pool, grown by doubling up to <see cref="MaxDecodedBytes"/>.</summary>
    private sealed class PooledBody(int expected) : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(expected + 1, 64 * 1024));
        private int _length;

        public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

        public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

        public async Task ReadAllAsync(Stream source, CancellationToken cancellationToken)
        {
            int read;
            // One byte of room more than the expected length, so the end is seen without growing.
            while ((read = await source.ReadAsync(_buffer.AsMemory(_length), cancellationToken)) > 0)
            {
                _length += read;
                if (_length > MaxDecodedBytes)
                {
                    throw new BodyTooLargeException();
                }
                if (_length == _buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, MaxDecodedBytes + 1));
                    _buffer.AsSpan(0, _length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = larger;
                }
            }
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
    }

    private sealed class BodyTooLargeException : Exception;
}
