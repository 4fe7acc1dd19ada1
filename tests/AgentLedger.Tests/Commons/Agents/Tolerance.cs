namespace AgentLedger.Tests.Commons.Agents;

/// <summary>Compares computed scores to hand-worked values without caring about the last floating-point digits.</summary>
internal sealed class Tolerance(double epsilon) : IEqualityComparer<double>
{
    public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;

    public int GetHashCode(double obj) => 0;
}
