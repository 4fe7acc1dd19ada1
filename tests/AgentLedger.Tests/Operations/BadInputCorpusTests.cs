using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentLedger.Tests.Commons;
using AgentLedger.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentLedger.Tests.Operations;

/// <summary>
/// Replays the hostile-input corpus (Data/bad-requests.json, made by Data/make-bad-requests.py):
/// every request is answered 4xx with a problem detail, none 5xx, and nothing is written.
/// </summary>
public sealed partial class BadInputCorpusTests(ITestOutputHelper output)
{
    private sealed record Entry(string Name, string Method, string Path, string Auth, string? ContentType, string? Body, string? BodyBase64, bool ProtocolError = false);

    [Fact]
    public async Task Every_request_of_the_corpus_is_refused_with_a_problem_and_writes_nothing()
    {
        // A real server process: Kestrel's own limits and URL decoding are part of what is tested.
        using var db = new TestDatabase();
        using var server = await ServerProcess.StartAsync(db);
        var client = server.Client;
        var running = (string)(await client.ReportAsync(new { agent_name = "corpus-agent" }))["id"]!;
        var finished = (string)(await client.ReportAsync(new { agent_name = "corpus-agent", status = "success", proposals = new[] { new { type = "t", title = "t" } } }))["id"]!;
        var proposal = (string)(await client.GetNodeAsync("/api/proposals?agent_name=corpus-agent"))["items"]![0]!["id"]!;
        await client.PostExpectAsync($"/api/proposals/{proposal}/approve", new { }, 200);
        using var anonymous = new HttpClient { BaseAddress = server.Address };

        var corpus = JsonSerializer.Deserialize<List<Entry>>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "bad-requests.json")), new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!;
        Assert.True(corpus.Count >= 150, $"the corpus has only {corpus.Count} requests");
        var before = db.AllRowCounts();
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();

        foreach (var entry in corpus)
        {
            string Expand(string text) => Repeat().Replace(
                text.Replace("{running}", running).Replace("{finished}", finished).Replace("{proposal}", proposal),
                m => new string(m.Groups["c"].Value[0], int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture)));

            using var request = new HttpRequestMessage(new HttpMethod(entry.Method), Expand(entry.Path));
            if (entry.Body is not null || entry.BodyBase64 is not null)
            {
                var bytes = entry.BodyBase64 is not null ? Convert.FromBase64String(entry.BodyBase64) : Encoding.UTF8.GetBytes(Expand(entry.Body!));
                request.Content = new ByteArrayContent(bytes);
                request.Content.Headers.ContentType = entry.ContentType is null ? null : MediaTypeHeaderValue.Parse(entry.ContentType);
                // Lets the server refuse an oversized body before it is sent, as well-behaved clients do.
                request.Headers.ExpectContinue = true;
            }
            var sender = entry.Auth == "valid" ? client : anonymous;
            switch (entry.Auth)
            {
                case "wrong": request.Headers.Add("X-Api-Key", "wrong-key"); break;
                case "bearer-wrong": request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-key"); break;
                case "empty": request.Headers.TryAddWithoutValidation("X-Api-Key", ""); break;
                case "basic": request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + LedgerFactory.ApiKey))); break;
            }

            using var response = await sender.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var text = await response.Content.ReadAsStringAsync();
            if (status is < 400 or >= 500)
            {
                failures.Add($"{entry.Name}: {status} {Truncate(text)}");
            }
            else if (entry.ProtocolError ? status != 400 : response.Content.Headers.ContentType?.MediaType != "application/problem+json" || JsonNode.Parse(text)?["status"] is null)
            {
                failures.Add($"{entry.Name}: {status} without a problem detail: {Truncate(text)}");
            }
            else if (!entry.ProtocolError && string.IsNullOrWhiteSpace((string?)JsonNode.Parse(text)?["detail"]))
            {
                failures.Add($"{entry.Name}: {status} problem without a detail: {Truncate(text)}");
            }
        }

        var after = db.AllRowCounts();
        output.WriteLine($"bad-input corpus: {corpus.Count} requests; answers {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; "
            + $"5xx {statuses.Where(s => s.Key >= 500).Sum(s => s.Value)}; rows changed {after.Sum(p => Math.Abs(p.Value - before[p.Key]))}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, after);
        Assert.Equal("running", (string?)(await client.GetNodeAsync($"/api/executions/{running}"))["status"]);
    }

    private static string Truncate(string text) => text.Length > 300 ? text[..300] + "…" : text;

    [GeneratedRegex(@"\{\{(?<c>.)\*(?<n>\d+)\}\}")]
    private static partial Regex Repeat();
}
