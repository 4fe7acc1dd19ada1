using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentLedger.Tests.Infrastructure;

public static class Api
{
    public static async Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        await client.PostAsync(url, Json(body));

    public static async Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, object body) =>
        await client.PutAsync(url, Json(body));

    public static StringContent Json(object body) =>
        new(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public static async Task<JsonNode> ReadNodeAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("empty body");

    public static async Task<JsonNode> GetNodeAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url} -> {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.ReadNodeAsync();
    }

    /// <summary>POSTs and asserts the status, returning the JSON body.</summary>
    public static async Task<JsonNode> PostExpectAsync(this HttpClient client, string url, object body, int status)
    {
        var response = await client.PostJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"POST {url} -> {(int)response.StatusCode}, expected {status}: {text}");
        return JsonNode.Parse(text.Length == 0 ? "{}" : text)!;
    }

    public static Task<JsonNode> ReportAsync(this HttpClient client, object report) => client.PostExpectAsync("/api/executions", report, 201);

    public static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static JsonNode Stats(this JsonNode all, string agent) => all[agent]!["stats"]!;

    public static Task<HttpResponseMessage> SetConfigAsync(this HttpClient client, string agent, object settings) =>
        client.PutJsonAsync($"/api/agents/{agent}/settings", settings);

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<T>())!;
}
