using AgentLedger.Core.Stats;

namespace AgentLedger.Tests.Unit;

[Trait("Database", "none")]   // no database: run once, not once per engine (scripts/test.sh)
public sealed class StatsWindowTests
{
    [Theory]
    [InlineData("24h", "24h", 24)]
    [InlineData("7d", "7d", 7 * 24)]
    [InlineData("30d", "30d", 30 * 24)]
    [InlineData("60d", "60d", 60 * 24)]
    [InlineData("400d", "400d", 400 * 24)]
    [InlineData("1h", "1h", 1)]
    [InlineData("9600h", "9600h", 9600)]
    [InlineData("024h", "24h", 24)]
    [InlineData("0001d", "1d", 24)]
    public void Valid_windows_parse_and_normalise(string text, string name, int hours)
    {
        Assert.True(StatsWindow.TryParse(text, out var window, out var error));
        Assert.Equal(name, window.Name);
        Assert.Equal(TimeSpan.FromHours(hours), window.Length);
        Assert.Equal(string.Empty, error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Missing_window_is_the_default(string? text)
    {
        Assert.True(StatsWindow.TryParse(text, out var window, out _));
        Assert.Equal(StatsWindow.Default, window);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0d")]
    [InlineData("0h")]
    [InlineData("00h")]
    [InlineData("9999d")]
    [InlineData("401d")]
    [InlineData("9601h")]
    [InlineData("-1d")]
    [InlineData("+1d")]
    [InlineData("1w")]
    [InlineData("1.5d")]
    [InlineData(" 7d")]
    [InlineData("7d ")]
    [InlineData("7 d")]
    [InlineData("7D")]
    [InlineData("d")]
    [InlineData("h")]
    [InlineData("7")]
    [InlineData("٧d")]
    [InlineData("99999999999999999999d")]
    [InlineData("99999999999999999999h")]
    public void Invalid_windows_are_rejected_with_a_readable_error(string text)
    {
        Assert.False(StatsWindow.TryParse(text, out _, out var error));
        Assert.Equal("window must be Nh or Nd between 1h and 400d, e.g. 24h, 7d, 30d", error);
    }

    [Fact]
    public void Default_is_thirty_days()
    {
        Assert.Equal("30d", StatsWindow.Default.Name);
        Assert.Equal(TimeSpan.FromDays(30), StatsWindow.Default.Length);
        Assert.Equal(StatsWindow.ThirtyDays, StatsWindow.Default);
        Assert.Equal(TimeSpan.FromHours(1), StatsWindow.Min);
        Assert.Equal(TimeSpan.FromDays(400), StatsWindow.Max);
    }

    [Fact]
    public void Resolve_ends_at_now()
    {
        var now = new DateTimeOffset(2025, 3, 15, 12, 34, 56, 789, TimeSpan.FromHours(2));
        Assert.True(StatsWindow.TryParse("7d", out var window, out _));

        var resolved = window.Resolve(now);

        Assert.Equal(new TimeWindow(now.AddDays(-7), now), resolved);
    }
}
