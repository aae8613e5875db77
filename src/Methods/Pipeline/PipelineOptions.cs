using Concord.Methods.Attribution;
using Concord.Methods.Components;

namespace Concord.Methods.Pipeline;

/// <summary>What the per-task pipeline computes.</summary>
public sealed record PipelineOptions
{
    public IReadOnlyList<Method> Methods { get; init; } = [Method.Ig, Method.Ap, Method.Atp];
    public IReadOnlyList<ComponentKind> Kinds { get; init; } = [ComponentKind.Head, ComponentKind.Mlp, ComponentKind.Neuron];
    public AttributionOptions Attribution { get; init; } = AttributionOptions.Default;
    /// <summary>AP patches this many neurons per layer (a seeded random subset; IG and AtP score all); 0 for all.</summary>
    public int NeuronsPerLayer { get; init; } = 32;
    public int Seed { get; init; }
    /// <summary>Similarity sweep scales s of a'(s) = a + sΔ; empty for no sweep.</summary>
    public IReadOnlyList<double> SweepScales { get; init; } = [];
    /// <summary>Component kinds the sweep covers (neurons are left out by default: AP over all neurons is the expensive part).</summary>
    public IReadOnlyList<ComponentKind> SweepKinds { get; init; } = [ComponentKind.Head, ComponentKind.Mlp];
    public int BatchSize { get; init; } = 8;
    /// <summary>
    /// Batch prompts by shared prefix and length (<see cref="PrefixGrouping"/>) rather than in sample
    /// order: the same prompts and per-prompt scores, less work per batch.
    /// </summary>
    public bool GroupByPrefix { get; init; } = true;
    public double TopFraction { get; init; } = Agreement.TopK.DefaultFraction;

    /// <summary>At s = 1 the sweep point is the main IG/AP/AtP run (aligned baseline), so it is not computed twice.</summary>
    public bool SweepPointIsMainRun(ComponentKind kind, double scale) =>
        scale == 1 && Kinds.Contains(kind) && Attribution.Baseline == Baseline.Aligned
        && Methods.Contains(Method.Ig) && Methods.Contains(Method.Ap) && Methods.Contains(Method.Atp);

    /// <summary>A batch's units, in the order they run and are numbered in.</summary>
    public IReadOnlyList<WorkUnit> UnitsPerBatch()
    {
        var units = new List<WorkUnit> { MetricsUnit.Instance };
        foreach (var method in Methods)
            foreach (var kind in Kinds)
                units.Add(new MethodUnit(method, kind));
        foreach (var s in SweepScales)
            foreach (var kind in SweepKinds)
                if (!SweepPointIsMainRun(kind, s))
                    units.Add(new SweepUnit(kind, s));
        return units;
    }

    /// <summary>How many units a task of <paramref name="examples"/> prompts has (the run-wide numbering advances by this much per task).</summary>
    public int UnitCount(int examples) => (examples + BatchSize - 1) / BatchSize * UnitsPerBatch().Count;

    /// <summary>The neurons AP patches at a layer (the same for every batch and task, so scores line up).</summary>
    public IReadOnlyList<int>? NeuronSubset(int layer, int dMlp)
    {
        if (NeuronsPerLayer <= 0 || NeuronsPerLayer >= dMlp) return null;
        // A stable seed per layer (HashCode is randomised per process, so it would not do).
        var random = new Random(unchecked(Seed * 7919 + layer) & int.MaxValue);
        return Enumerable.Range(0, dMlp).OrderBy(_ => random.Next()).Take(NeuronsPerLayer).Order().ToArray();
    }
}
