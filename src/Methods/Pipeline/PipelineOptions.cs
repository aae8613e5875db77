using Concord.Methods.Attribution;
using Concord.Methods.Targets;

namespace Concord.Methods.Pipeline;

/// <summary>What the per-task pipeline computes.</summary>
public sealed record PipelineOptions
{
    public IReadOnlyList<Method> Methods { get; init; } = [Method.Ig, Method.Ap, Method.Atp];
    /// <summary>
    /// The methods this pipeline knows (every one of <see cref="Methods"/> must be in it): their order
    /// orders units and tables, its reference is what the others are compared with, its swept methods
    /// make the sweep. The built-in catalogue unless the caller adds its own methods.
    /// </summary>
    public MethodCatalogue MethodCatalogue { get; init; } = MethodCatalogue.BuiltIn;
    /// <summary>The agreement statistics computed for every pair (the built-in ones unless the caller adds its own).</summary>
    public Agreement.StatisticCatalogue StatisticCatalogue { get; init; } = Agreement.StatisticCatalogue.BuiltIn;
    /// <summary>
    /// IG's quadrature and baseline, given to IG alone: a study's IG converges by default (adaptive
    /// composite rule, τ = 1e-3); a fixed rule (<see cref="IgSettings.FixedNodes"/>) reproduces captum.
    /// </summary>
    public IgSettings Ig { get; init; } = IgSettings.Auto(TaskAnalysis.EvidenceTolerance);
    public IReadOnlyList<TargetSpace> Spaces { get; init; } = [TargetSpace.Head, TargetSpace.Mlp, TargetSpace.Neuron];
    public AttributionOptions Attribution { get; init; } = AttributionOptions.Default;
    /// <summary>AP patches this many neurons per layer (a seeded random subset; IG and AtP score all); 0 for all.</summary>
    public int NeuronsPerLayer { get; init; } = 32;
    public int Seed { get; init; }
    /// <summary>Similarity sweep scales s of a'(s) = a + sΔ; empty for no sweep.</summary>
    public IReadOnlyList<double> SweepScales { get; init; } = [];
    /// <summary>Target kinds the sweep covers (neurons are left out by default: AP over all neurons is the expensive part).</summary>
    public IReadOnlyList<TargetSpace> SweepSpaces { get; init; } = [TargetSpace.Head, TargetSpace.Mlp];
    public int BatchSize { get; init; } = 8;
    /// <summary>
    /// Batch prompts by shared prefix and length (<see cref="PrefixGrouping"/>) rather than in sample
    /// order: the same prompts and per-prompt scores, less work per batch.
    /// </summary>
    public bool GroupByPrefix { get; init; } = true;
    public double TopFraction { get; init; } = Agreement.TopK.DefaultFraction;

    /// <summary>AP's neuron subset.</summary>
    public NeuronSubset Neurons => new(NeuronsPerLayer, Seed);

    /// <summary>Every kind a batch scores: the main run's and the sweep's.</summary>
    public IReadOnlyList<TargetSpace> AllSpaces => Spaces.Union(SweepSpaces).ToList();

    /// <summary>What each method's factory is given.</summary>
    public MethodSettings MethodSettings => new(Ig, Neurons, AllSpaces, SweepScales);

    /// <summary>At s = 1 the sweep point is the main run of every swept method (aligned baseline), so it is not computed twice.</summary>
    public bool SweepPointIsMainRun(TargetSpace kind, double scale) =>
        scale == 1 && Spaces.Contains(kind) && Ig.Baseline == Baseline.Aligned && MethodCatalogue.Swept.All(Methods.Contains);

    /// <summary>A batch's units, in the order they run and are numbered in.</summary>
    public IReadOnlyList<WorkUnit> UnitsPerBatch()
    {
        var units = new List<WorkUnit> { MetricsUnit.Instance };
        foreach (var method in Methods)
            foreach (var kind in Spaces.Where(method.Spaces.Contains))
                units.Add(new MethodUnit(method, kind));
        foreach (var s in SweepScales)
            foreach (var kind in SweepSpaces)
                if (!SweepPointIsMainRun(kind, s))
                    units.Add(new SweepUnit(kind, s, MethodCatalogue));
        return units;
    }

    /// <summary>How many units a task of <paramref name="examples"/> prompts has (the run-wide numbering advances by this much per task).</summary>
    public int UnitCount(int examples) => BatchCount(examples) * UnitsPerBatch().Count;

    /// <summary>Batches of a task of <paramref name="examples"/> prompts (every per-batch pass numbers its units by it).</summary>
    public int BatchCount(int examples) => (examples + BatchSize - 1) / BatchSize;
}
