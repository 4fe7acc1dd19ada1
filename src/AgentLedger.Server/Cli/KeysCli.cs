using System.CommandLine;
using System.Globalization;
using AgentLedger.Core.Access;
using AgentLedger.Core.Stats;
using AgentLedger.Server.Auth;
using AgentLedger.Server.Hosting;
using AgentLedger.Server.Json;

namespace AgentLedger.Server.Cli;

/// <summary><c>keys create|list|revoke</c> and <c>audit</c>: the database's own keys and audit log, for whoever runs the binary.</summary>
internal static class KeysCli
{
    /// <summary>Whoever can run the binary against the database is its administrator; the audit log names them so.</summary>
    private static readonly Actor Cli = new("cli", "cli", KeyRole.Admin, null);

    public static Command Keys(TextWriter output, Func<ParseResult, bool, WebApplication> build)
    {
        var keys = new Command("keys", "Creates, lists and revokes named API keys.");
        keys.Subcommands.Add(Create(output, build));
        keys.Subcommands.Add(List(output, build));
        keys.Subcommands.Add(Revoke(output, build));
        return keys;
    }

    private static Command Create(TextWriter output, Func<ParseResult, bool, WebApplication> build)
    {
        var name = new Option<string>("--name") { Description = "The key's name, recorded with everything it does.", Required = true };
        var role = new Option<string>("--role") { Description = "read, review, admin or report.", Required = true };
        var agents = new Option<string?>("--agents") { Description = "For report keys: agent name patterns, comma-separated ('*' matches any run of characters)." };
        var expires = new Option<string?>("--expires") { Description = "Lifetime, e.g. 90d or 12h." };
        var command = new Command("create", "Creates a key and prints it, alone, on the last line (shown only this once).") { name, role, agents, expires };
        command.SetAction(async (parse, ct) =>
        {
            DateTimeOffset? expiresAt = null;
            if (parse.GetValue(expires) is { } lifetime)
            {
                if (!StatsWindow.TryParse(lifetime, out var window, out var error))
                {
                    await Console.Error.WriteLineAsync($"--expires: {error}");
                    return 2;
                }
                expiresAt = TimeProvider.System.GetUtcNow() + window.Length;
            }
            await using var app = build(parse, false);
            await app.Services.GetRequiredService<DatabaseBootstrap>().PrepareAsync(ct);
            var patterns = parse.GetValue(agents)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            try
            {
                var issued = await app.Services.GetRequiredService<KeyIssuer>().CreateAsync(parse.GetValue(name), parse.GetValue(role), patterns, expiresAt, Cli, ct);
                await output.WriteLineAsync($"created key {issued.Id} '{issued.Name}' ({issued.Role}{(issued.Agents.Count > 0 ? " for " + string.Join(",", issued.Agents) : "")}), expires {(issued.ExpiresAt is { } e ? UtcDateTimeOffsetConverter.Format(e) : "never")}; it is shown only now:");
                await output.WriteLineAsync(issued.Key);
                return 0;
            }
            catch (Core.Common.ValidationException invalid)
            {
                foreach (var (field, messages) in invalid.Errors)
                {
                    await Console.Error.WriteLineAsync($"{field}: {string.Join("; ", messages)}");
                }
                return 2;
            }
            catch (Core.Common.ConflictException conflict)
            {
                await Console.Error.WriteLineAsync(conflict.Message);
                return 2;
            }
        });
        return command;
    }

    private static Command List(TextWriter output, Func<ParseResult, bool, WebApplication> build)
    {
        var command = new Command("list", "Prints every named key (never a secret), newest first.");
        command.SetAction(async (parse, ct) =>
        {
            await using var app = build(parse, false);
            await app.Services.GetRequiredService<DatabaseBootstrap>().PrepareAsync(ct);
            var store = app.Services.GetRequiredService<IKeyStore>();
            await output.WriteLineAsync("id                name                             role    agents               created               expires               last used             revoked");
            string? cursor = null;
            do
            {
                var page = await store.ListAsync(500, cursor, ct);
                foreach (var k in page.Items)
                {
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{k.Id,-17} {k.Name,-32} {k.Role.ToWire(),-7} {(k.Agents.Count == 0 ? "-" : string.Join(",", k.Agents)),-20} {Time(k.CreatedAt),-21} {Time(k.ExpiresAt),-21} {Time(k.LastUsedAt),-21} {Time(k.RevokedAt)}"));
                }
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            return 0;
        });
        return command;
    }

    private static Command Revoke(TextWriter output, Func<ParseResult, bool, WebApplication> build)
    {
        var id = new Argument<string>("id") { Description = "The key's id (the part after 'alk_')." };
        var command = new Command("revoke", "Revokes a key: refused from the next request on, on every node.") { id };
        command.SetAction(async (parse, ct) =>
        {
            await using var app = build(parse, false);
            await app.Services.GetRequiredService<DatabaseBootstrap>().PrepareAsync(ct);
            try
            {
                var key = await app.Services.GetRequiredService<KeyIssuer>().RevokeAsync(parse.GetValue(id)!, Cli, ct);
                await output.WriteLineAsync($"revoked key {key.Id} '{key.Name}' at {Time(key.RevokedAt)}.");
                return 0;
            }
            catch (Core.Common.NotFoundException missing)
            {
                await Console.Error.WriteLineAsync(missing.Message);
                return 2;
            }
        });
        return command;
    }

    public static Command Audit(TextWriter output, Func<ParseResult, bool, WebApplication> build)
    {
        var since = new Option<string>("--since") { Description = "How far back, e.g. 7d or 12h.", DefaultValueFactory = _ => "7d" };
        var action = new Option<string?>("--action") { Description = "Only this action, e.g. settings.update." };
        var command = new Command("audit", "Prints the audit log, newest first.") { since, action };
        command.SetAction(async (parse, ct) =>
        {
            if (!StatsWindow.TryParse(parse.GetValue(since), out var window, out var error))
            {
                await Console.Error.WriteLineAsync($"--since: {error}");
                return 2;
            }
            if (parse.GetValue(action) is { } only && !AuditActions.All.Contains(only))
            {
                await Console.Error.WriteLineAsync($"--action: one of {string.Join(", ", AuditActions.All)}");
                return 2;
            }
            await using var app = build(parse, false);
            await app.Services.GetRequiredService<DatabaseBootstrap>().PrepareAsync(ct);
            var log = app.Services.GetRequiredService<IAuditLog>();
            var from = app.Services.GetRequiredService<TimeProvider>().GetUtcNow() - window.Length;
            string? cursor = null;
            do
            {
                var page = await log.ListAsync(new AuditFilter(parse.GetValue(action), null, from, null, 500, cursor), ct);
                foreach (var e in page.Items)
                {
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{Time(e.At)} {e.Action,-17} {e.StatusCode} key={e.KeyName ?? e.KeyId ?? "-"} role={e.Role ?? "-"} {e.ResourceType}:{e.ResourceId} from={e.RemoteAddress ?? "-"}"));
                }
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            return 0;
        });
        return command;
    }

    private static string Time(DateTimeOffset? value) => value is { } v ? UtcDateTimeOffsetConverter.Format(v) : "-";
}
