using System.Text.Json;
using AgentLedger.Commons.Model;
using AgentLedger.Core.Proposals;

namespace AgentLedger.Commons.Agents;

/// <summary>Watches shared stock: items below their threshold, and items that recent usage will empty soon.</summary>
public sealed class InventoryAgent(ICommonsReader reader) : CommonsAgent<InventoryConfig>(reader)
{
    public override string Name => "inventory-agent";

    public override string DisplayName => "Inventory agent";

    public override string Description => "Proposes restocking items below their threshold and warns of items that recent usage will run out of.";

    protected override int IntervalSeconds => 3600;

    // Opt-in: stock counts are only worth acting on where a community keeps them up to date.
    protected override bool EnabledByDefault => false;

    protected override InventoryConfig DefaultConfig => InventoryConfig.Default;

    protected override InventoryConfig ReadConfig(ConfigReader config) => InventoryConfig.Read(config);

    protected override CommonsFindings Evaluate(CommonsSnapshot snapshot, DateTimeOffset now, InventoryConfig config) =>
        InventoryForecast.Evaluate(snapshot, now, config);
}

public sealed record InventoryConfig(int UsageWindowDays, double LeadTimeDays)
{
    public static InventoryConfig Default { get; } = new(14, 7);

    /// <summary>The reader only returns the last 30 days of usage; a longer window would understate the rate.</summary>
    public const int MaxUsageWindowDays = 30;

    public static InventoryConfig Read(ConfigReader config)
    {
        return new InventoryConfig(
            config.Integer("usage_window_days", Default.UsageWindowDays, 1, MaxUsageWindowDays),
            config.Number("lead_time_days", Default.LeadTimeDays, 0, 366, minExclusive: true));
    }
}

public static class InventoryForecast
{
    public static CommonsFindings Evaluate(CommonsSnapshot snapshot, DateTimeOffset now, InventoryConfig config)
    {
        var lookup = new CommonsLookup(snapshot);
        var windowStart = now - TimeSpan.FromDays(config.UsageWindowDays);
        var usage = snapshot.UsageEvents
            .Where(e => e.OccurredAt >= windowStart && e.OccurredAt <= now)
            .ToLookup(e => e.ItemId, StringComparer.Ordinal);

        var proposals = new List<ProposalDraft>();
        foreach (var item in snapshot.Inventory.OrderBy(i => i.Id, StringComparer.Ordinal))
        {
            if (item.Quantity < item.Threshold)
            {
                proposals.Add(Replenishment(item, lookup));
                continue;
            }
            var events = usage[item.Id].OrderBy(e => e.OccurredAt).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
            var dailyRate = events.Sum(e => e.Quantity) / config.UsageWindowDays;
            if (dailyRate <= 0)
            {
                continue;
            }
            var daysLeft = item.Quantity / dailyRate;
            if (daysLeft <= config.LeadTimeDays)
            {
                proposals.Add(ShortageWarning(item, events, dailyRate, daysLeft, config, lookup));
            }
        }

        return new CommonsFindings(proposals, snapshot.Inventory.Count + snapshot.UsageEvents.Count, new Dictionary<string, double>
        {
            ["items_checked"] = snapshot.Inventory.Count,
            ["shortages"] = proposals.Count,
        });
    }

    private static ProposalDraft Replenishment(InventoryItem item, CommonsLookup lookup)
    {
        // Restocking to twice the threshold leaves room to use it before the next restock is due.
        var suggested = (2 * item.Threshold) - item.Quantity;
        var place = lookup.LocationName(item.LocationId);
        return new ProposalDraft(
            Type: "replenishment",
            Title: $"Restock {item.Name} at {place}",
            Explanation: $"{place} has {CommonsText.Quantity(item.Quantity, item.Unit)} of {item.Name}, below its threshold of "
                + $"{CommonsText.Quantity(item.Threshold, item.Unit)}. Adding {CommonsText.Quantity(suggested, item.Unit)} brings it to twice the threshold.",
            InputsUsed: [item.Id],
            Data: CommonsText.Data(new
            {
                item_id = item.Id,
                location_id = item.LocationId,
                quantity = item.Quantity,
                threshold = item.Threshold,
                unit = item.Unit,
                suggested_quantity = suggested,
            }));
    }

    private static ProposalDraft ShortageWarning(InventoryItem item, List<UsageEvent> events, double dailyRate, double daysLeft, InventoryConfig config, CommonsLookup lookup)
    {
        var place = lookup.LocationName(item.LocationId);
        return new ProposalDraft(
            Type: "shortage_warning",
            Title: $"{item.Name} at {place} runs out in about {CommonsText.Number(daysLeft)} days",
            Explanation: $"{place} has {CommonsText.Quantity(item.Quantity, item.Unit)} of {item.Name}; {events.Count} uses took "
                + $"{CommonsText.Quantity(events.Sum(e => e.Quantity), item.Unit)} over the last {config.UsageWindowDays} days "
                + $"({CommonsText.Quantity(dailyRate, item.Unit)} a day). At that rate it runs out in {CommonsText.Number(daysLeft)} days, "
                + $"within the {CommonsText.Number(config.LeadTimeDays)}-day lead time for restocking.",
            InputsUsed: [item.Id, .. events.Select(e => e.Id)],
            Data: CommonsText.Data(new
            {
                item_id = item.Id,
                location_id = item.LocationId,
                quantity = item.Quantity,
                unit = item.Unit,
                days_left = CommonsText.Round(daysLeft),
                daily_rate = CommonsText.Round(dailyRate),
                usage_window_days = config.UsageWindowDays,
                lead_time_days = config.LeadTimeDays,
            }));
    }
}
