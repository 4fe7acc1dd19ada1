using System.Globalization;

namespace AgentLedger.Core.Stats;

/// <summary>A named trailing window such as "24h" or "30d", as accepted from the API and CLI.</summary>
public sealed record StatsWindow(string Name, TimeSpan Length)
{
    public static readonly TimeSpan Min = TimeSpan.FromHours(1), Max = TimeSpan.FromDays(400);

    private const string FormatError = "window must be Nh or Nd between 1h and 400d, e.g. 24h, 7d, 30d";

    // Longest digit run (after leading zeros) that can still be in range: 9600h has four digits.
    private const int MaxSignificantDigits = 4;

    public static StatsWindow ThirtyDays { get; } = new("30d", TimeSpan.FromDays(30));

    public static StatsWindow Default => ThirtyDays;

    /// <summary>
    /// Parses "Nh" or "Nd". Null or empty yields <see cref="Default"/>. On failure <paramref name="window"/>
    /// is set to <see cref="Default"/> so callers never see null, and <paramref name="error"/> explains the format.
    /// </summary>
    public static bool TryParse(string? text, out StatsWindow window, out string error)
    {
        window = Default;
        error = string.Empty;

        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (!TryParseParts(text, out var number, out var unit))
        {
            error = FormatError;
            return false;
        }

        var length = unit == 'h' ? TimeSpan.FromHours(number) : TimeSpan.FromDays(number);
        if (length < Min || length > Max)
        {
            error = FormatError;
            return false;
        }

        window = new StatsWindow(number.ToString(CultureInfo.InvariantCulture) + unit, length);
        return true;
    }

    public TimeWindow Resolve(DateTimeOffset now) => new(now - Length, now);

    // Hand-rolled rather than int.Parse so culture, signs, whitespace and overflow can never slip through.
    private static bool TryParseParts(string text, out int number, out char unit)
    {
        number = 0;
        unit = text[^1];
        if (text.Length < 2 || (unit != 'h' && unit != 'd'))
        {
            return false;
        }

        var digits = text.AsSpan(0, text.Length - 1);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        var significant = digits.TrimStart('0');
        if (significant.Length > MaxSignificantDigits)
        {
            return false;
        }

        foreach (var c in significant)
        {
            number = (number * 10) + (c - '0');
        }

        return true;
    }
}

public readonly record struct TimeWindow(DateTimeOffset From, DateTimeOffset To);
