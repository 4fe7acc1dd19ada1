using System.Net;
using System.Net.Http.Headers;
using AgentLedger.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AgentLedger.Tests.Otlp;

/// <summary>The real server on a real loopback socket and a real database, as an OpenTelemetry exporter reaches it.</summary>
public sealed class OtlpHost : IDisposable
{
    private readonly LedgerFactory _factory;

    public OtlpHost(FakeTimeProvider? time = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        Database = new TestDatabase();
        _factory = new LedgerFactory(Database, time, settings: settings);
        _factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var address = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        Client = new HttpClient { BaseAddress = BaseAddress };
        Client.DefaultRequestHeaders.Add("X-Api-Key", LedgerFactory.ApiKey);
    }

    public TestDatabase Database { get; }

    public IServiceProvider Services => _factory.Services;

    public Uri BaseAddress { get; }

    public Uri TracesEndpoint => new(BaseAddress, "otel/v1/traces");

    /// <summary>A client of the socket that sends the API key.</summary>
    public HttpClient Client { get; }

    /// <param name="contentEncoding">Sent as Content-Encoding without compressing the body (a body that lies about it).</param>
    public async Task<HttpResponseMessage> PostTracesAsync(byte[] body, string contentType, bool gzip = false, bool withKey = true, string? contentEncoding = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "otel/v1/traces");
        var content = new ByteArrayContent(gzip ? Gzip(body) : body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (gzip || contentEncoding is not null)
        {
            content.Headers.ContentEncoding.Add(contentEncoding ?? "gzip");
        }
        request.Content = content;
        if (!withKey)
        {
            using var anonymous = new HttpClient { BaseAddress = BaseAddress };
            return await anonymous.SendAsync(request);
        }
        return await Client.SendAsync(request);
    }

    public static byte[] Gzip(byte[] body)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(body);
        }
        return output.ToArray();
    }

    public void Dispose()
    {
        Client.Dispose();
        _factory.Dispose();
        Database.Dispose();
    }
}
