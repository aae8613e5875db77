namespace Concord.Methods.Pipeline;

/// <summary>
/// What one pass of the pipeline over a task did: the task's result when every unit is in the store
/// (null otherwise), the units still missing that this process does not compute, and counts.
/// </summary>
public sealed record PipelineOutcome(TaskResult? Result, IReadOnlyList<MissingUnit> Missing, int ComputedUnits, int ReusedUnits)
{
    /// <summary>What the units computed in this pass cost, by unit name (ig-head, sweep-mlp-0.5, …); reused units cost nothing.</summary>
    public IReadOnlyDictionary<string, UnitCost> Costs { get; init; } = new Dictionary<string, UnitCost>();
}

/// <summary>
/// Where the time went for one kind of unit over a task's batches: wall seconds, stacked runs from a
/// hook (each a forward, and a backward for IG), and IG's quadrature nodes summed over layers.
/// </summary>
public sealed record UnitCost(int Units, double Seconds, long Runs, long IgNodes)
{
    public static UnitCost None { get; } = new(0, 0, 0, 0);

    public UnitCost Add(double seconds, long runs, long igNodes) => new(Units + 1, Seconds + seconds, Runs + runs, IgNodes + igNodes);
}
