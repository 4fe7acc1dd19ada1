using AgentLedger.Core.Traces;

namespace AgentLedger.Tests.Otlp;

/// <summary>The execution id of an agent span: derived from its ids alone, and inside its trace's range of the id index.</summary>
[Trait("Database", "none")]
public sealed class SpanIdsTests
{
    [Theory]
    [InlineData("4bf92f3577b34da6a3ce929d0e0e4736")]
    [InlineData("0000000000000000a3ce929d0e0e4736")] // a 64-bit trace id, padded: the random half decides the range
    [InlineData("trace-id-of-a-test")]
    public void Every_span_of_a_trace_has_a_version_8_id_inside_the_traces_range_and_no_other_traces_span_does(string trace)
    {
        var (lowest, highest) = SpanIds.TraceRange(trace);
        var spans = Enumerable.Range(0, 200).Select(i => $"{i:x16}").ToList();
        foreach (var span in spans)
        {
            var id = SpanIds.ExecutionId(trace, span);
            Assert.Equal(8, id.Version);
            Assert.Equal(id, SpanIds.ExecutionId(trace, span));
            Assert.InRange(id.CompareTo(lowest), 0, 1);
            Assert.InRange(highest.CompareTo(id), 0, 1);
        }
        Assert.Equal(spans.Count, spans.Select(s => SpanIds.ExecutionId(trace, s)).Distinct().Count());
        var other = SpanIds.ExecutionId("5bf92f3577b34da6a3ce929d0e0e4737", spans[0]);
        Assert.False(other.CompareTo(lowest) >= 0 && highest.CompareTo(other) >= 0);
    }

    [Fact]
    public void Upper_and_lower_case_hex_name_the_same_range()
    {
        Assert.Equal(SpanIds.TraceRange("4bf92f3577b34da6a3ce929d0e0e4736"), SpanIds.TraceRange("4BF92F3577B34DA6A3CE929D0E0E4736"));
    }
}
