namespace Concord.Methods.Pipeline;

/// <summary>What any pass over a task did, whatever it computes: the units missing, computed and reused, and their cost.</summary>
public interface IPassOutcome
{
    /// <summary>The units still missing that this process does not compute.</summary>
    IReadOnlyList<MissingUnit> Missing { get; }
    int ComputedUnits { get; }
    int ReusedUnits { get; }
    /// <summary>What the units computed in this pass cost, by unit name (ig-head, sweep-mlp-0.5, …); reused units cost nothing.</summary>
    IReadOnlyDictionary<string, UnitCost> Costs { get; }
}

/// <summary>
/// What one pass over a task did (the attribution, the verification, the interactions): its result
/// when every unit is in the store (null otherwise), the units still missing that this process does
/// not compute, and counts. One type for every pass, so a study sums them in one place.
/// </summary>
public sealed record PassOutcome<TResult>(TResult? Result, IReadOnlyList<MissingUnit> Missing, int ComputedUnits, int ReusedUnits) : IPassOutcome
    where TResult : class
{
    public IReadOnlyDictionary<string, UnitCost> Costs { get; init; } = new Dictionary<string, UnitCost>();
}

/// <summary>Reading the outcomes of a task's passes, kept by pass id.</summary>
public static class PassOutcomes
{
    /// <summary>The pass's result when every unit of it is in the store; null when it did not run, units are missing, or its result is of another type.</summary>
    public static TResult? ResultOf<TResult>(this IReadOnlyDictionary<string, IPassOutcome> outcomes, string passId) where TResult : class =>
        (outcomes.GetValueOrDefault(passId) as PassOutcome<TResult>)?.Result;
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
