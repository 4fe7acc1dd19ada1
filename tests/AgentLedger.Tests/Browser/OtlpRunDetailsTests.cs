using System.Net;
using System.Net.Http.Headers;
using AgentLedger.Core.Traces;
using AgentLedger.Tests.Otlp;
using Microsoft.Playwright;
using static AgentLedger.Tests.Otlp.OtlpJson;
using static Microsoft.Playwright.Assertions;

namespace AgentLedger.Tests.Browser;

/// <summary>A run received as OpenTelemetry spans shows, in its details, its model, tokens, calls and trace.</summary>
[Collection(BrowserCollection.Name)]
public sealed class OtlpRunDetailsTests(BrowserFixture browser) : IDisposable
{
    private readonly DashboardHost _host = new();

    public void Dispose() => _host.Dispose();

    [BrowserFact]
    public async Task An_otlp_runs_details_show_its_model_tokens_calls_and_trace_id()
    {
        var trace = NewTraceId();
        var agent = NewSpanId();
        var start = DateTimeOffset.UtcNow.AddMinutes(-3);
        var body = Request("desk",
            Chat(trace, NewSpanId(), agent, start.AddSeconds(1), 1_200, 340, Str("gen_ai.response.model", "gpt-4o-mini-2024-07-18"), IntText("gen_ai.usage.cache_read.input_tokens", 256)),
            Chat(trace, NewSpanId(), agent, start.AddSeconds(2), 800, 60, Double("gen_ai.usage.cost", 0.0042)),
            Tool(trace, NewSpanId(), agent, start.AddSeconds(3), "search_kb"),
            Agent(trace, agent, null, "Help Desk", start, TimeSpan.FromSeconds(4), Str("gen_ai.conversation.id", "conv-99")));
        using (var content = new ByteArrayContent(body))
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await _host.Api.PostAsync("/otel/v1/traces", content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var id = SpanIds.ExecutionId(trace, agent);

        await using var session = await DashboardSession.OpenAsync(browser.Browser, _host.Address);
        var page = session.Page;
        await session.GotoAsync("/#/agents/help-desk");
        var row = page.Locator($"tr[data-execution='{id}']");
        await row.GetByRole(AriaRole.Button, new() { Name = "Details" }).ClickAsync();
        var block = page.Locator($"#exec-{id} .model-block");
        await Expect(block.GetByRole(AriaRole.Heading, new() { Name = "Model and trace" })).ToBeVisibleAsync();
        await Expect(block.Locator("[data-field='model']")).ToHaveTextAsync("gpt-4o-mini-2024-07-18");
        await Expect(block.Locator("[data-field='provider']")).ToHaveTextAsync("openai");
        await Expect(block.Locator("[data-field='input_tokens']")).ToHaveTextAsync("2,000");
        await Expect(block.Locator("[data-field='output_tokens']")).ToHaveTextAsync("400");
        await Expect(block.Locator("[data-field='cache_read_input_tokens']")).ToHaveTextAsync("256");
        await Expect(block.Locator("[data-field='cost']")).ToHaveTextAsync("0.0042");
        await Expect(block.Locator("[data-field='model_calls']")).ToHaveTextAsync("2");
        await Expect(block.Locator("[data-field='tool_calls']")).ToHaveTextAsync("1");
        await Expect(block.Locator("[data-field='conversation_id']")).ToHaveTextAsync("conv-99");
        await Expect(block.Locator("[data-field='trace_id']")).ToHaveTextAsync(trace);
        await Expect(block.Locator("[data-field='span_id']")).ToHaveTextAsync(agent);
        session.AssertNoConsoleErrors();
    }
}
