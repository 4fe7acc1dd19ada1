namespace AgentLedger.Bench;

/// <summary>Order statistics of repeated measurements (nearest rank, as the ledger's own percentiles).</summary>
public sealed record Summary(int Count, double Median, double P95, double P99, double Min, double Max)
{
    public static Summary Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
        {
            return new Summary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }
        var sorted = samples.Order().ToArray();
        return new Summary(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99), sorted[0], sorted[^1]);
    }

    private static double Rank(double[] sorted, double p) =>
        sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
