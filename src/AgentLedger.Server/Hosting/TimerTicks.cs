namespace AgentLedger.Server.Hosting;

internal static class TimerTicks
{
    /// <summary>
    /// Waits for the next tick and resumes on the thread pool, never inline in whoever fired the
    /// timer. A timer's callback completes the wait synchronously; with a clock that is advanced
    /// in steps (FakeTimeProvider, a suspended VM catching up) the loop's whole body, database work
    /// included, would run once per missed period inside that one call, where the pool thread
    /// lets missed ticks collapse into one as PeriodicTimer intends.
    /// </summary>
    public static async ValueTask<bool> NextTickAsync(this PeriodicTimer timer, CancellationToken cancellationToken)
    {
        var ticked = await timer.WaitForNextTickAsync(cancellationToken);
        await Task.Yield();
        return ticked;
    }
}
