using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentLedger.TestHost.Contract;
using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.Operations;

/// <summary>
/// Each built-in agent's config schema in the document is what the server enforces: the stored
/// config matches it, its defaults are saved, and every value past a bound (or of the wrong type) is
/// refused with a 422 naming that key, and is one the schema refuses too.
/// </summary>
public sealed class AgentConfigSchemaTests : IClassFixture<OpenApiTests.Host>
{
    private readonly OpenApiTests.Host _host;

    public AgentConfigSchemaTests(OpenApiTests.Host host) => _host = host;

    [Fact]
    public async Task Every_published_key_is_enforced_as_the_document_says()
    {
        var client = _host.Factory.CreateAuthorizedClient();
        var json = await client.GetStringAsync("/openapi/v1.json");
        var contract = new OpenApiContract(json);
        var schemas = JsonNode.Parse(json)!["components"]!["schemas"]!.AsObject();
        var agents = schemas.Select(s => s.Key).Where(k => k.StartsWith("AgentConfig.", StringComparison.Ordinal) && k != "AgentConfig.own-keys")
            .Select(k => k["AgentConfig.".Length..]).ToList();
        Assert.Equal(["commons-router", "conquest-of-bread", "inventory-agent", "mutual-aid-matchmaker", "perishables-dispatcher", "work-party-scheduler"], agents.Order(StringComparer.Ordinal));

        var probed = 0;
        foreach (var agent in agents)
        {
            var component = $"AgentConfig.{agent}";
            var settings = await client.GetNodeAsync($"/api/agents/{agent}/settings");
            Assert.Empty(contract.CheckComponent(component, JsonSerializer.SerializeToElement(settings["config"])));

            foreach (var (path, key) in Keys(schemas[component]!.AsObject(), ""))
            {
                foreach (var (value, allowed) in Probes(key))
                {
                    var config = Nest(path, value);
                    var response = await client.PutJsonAsync($"/api/agents/{agent}/settings", new { config });
                    var field = "config." + string.Join('.', path);
                    if (allowed)
                    {
                        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{agent} {field} = {value}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                        Assert.Empty(contract.CheckComponent(component, JsonSerializer.SerializeToElement((await response.ReadNodeAsync())["config"])));
                    }
                    else
                    {
                        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
                        var errors = (await response.ReadNodeAsync())["errors"]!.AsObject();
                        Assert.True(errors.ContainsKey(field), $"{agent} {field} = {value} was refused without naming {field}: {errors.ToJsonString()}");
                        Assert.NotEmpty(contract.CheckComponent(component, JsonSerializer.SerializeToElement(config)));
                    }
                    probed++;
                }
            }
            (await client.DeleteAsync($"/api/agents/{agent}/settings")).EnsureSuccessStatusCode();
        }
        Assert.True(probed >= 40, $"only {probed} probes");
    }

    private static IEnumerable<(string[] Path, JsonObject Key)> Keys(JsonObject schema, string prefix)
    {
        foreach (var (name, value) in schema["properties"]!.AsObject())
        {
            var key = value!.AsObject();
            string[] path = prefix.Length == 0 ? [name] : [.. prefix.Split('.'), name];
            if ((string?)key["type"] == "object")
            {
                foreach (var nested in Keys(key, string.Join('.', path)))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return (path, key);
            }
        }
    }

    /// <summary>Values just past each bound, the default, and a value of the wrong type.</summary>
    private static IEnumerable<(JsonNode Value, bool Allowed)> Probes(JsonObject key)
    {
        if ((string?)key["type"] == "string")
        {
            // The webhook URL: an absolute http(s) URL, anything else refused.
            yield return (JsonValue.Create("https://203.0.113.7/hooks/agentledger"), true);
            yield return (JsonValue.Create("ftp://203.0.113.7/hook"), false);
            yield return (JsonValue.Create(12), false);
            yield break;
        }
        var integer = (string?)key["type"] == "integer";
        var step = integer ? 1 : 0.001;
        if (key["default"] is { } fallback)
        {
            yield return (fallback.DeepClone(), true);
        }
        yield return (JsonValue.Create("12"), false);
        if (key["maximum"] is { } max)
        {
            yield return (JsonValue.Create((double)max + step), false);
        }
        if (key["minimum"] is { } min)
        {
            yield return (JsonValue.Create((double)min - step), false);
        }
        if (key["exclusiveMinimum"] is { } exclusive)
        {
            yield return (JsonValue.Create((double)exclusive), false);
        }
        if (integer && key["default"] is { } whole)
        {
            yield return (JsonValue.Create((double)whole + 0.5), false);
        }
    }

    private static JsonObject Nest(string[] path, JsonNode value)
    {
        JsonNode node = value;
        foreach (var name in path.Reverse())
        {
            node = new JsonObject { [name] = node };
        }
        return node.AsObject();
    }
}
