using System.Globalization;
using Concord.Methods.Attribution;
using Concord.Methods.Pipeline;
using Concord.Methods.Components;
using Concord.Methods.Quadrature;
using Concord.Methods.Studies;
using Concord.Methods.Verification;
using Concord.Methods.Interventions;
using Concord.Tasks;
using static TorchSharp.torch;

namespace Concord.Cli.Run;

/// <summary>Everything `concord run` was asked to do, validated: the study's options and where and how to run it.</summary>
public sealed record RunSettings(
    StudyOptions Study,
    string? Model,
    string Device,
    bool Float64,
    string Out,
    bool Fresh,
    IReadOnlyList<(string Name, string Value)> CommandLine)
{
    /// <summary>With --shard I/N: compute only this shard's units and write no report.</summary>
    public Shard? Shard { get; init; }

    /// <summary>With --merge: compute nothing; build the outputs from the units the shards wrote.</summary>
    public bool Merge { get; init; }

    public IReadOnlyList<TaskKind> Tasks => Study.Tasks;
    public PipelineOptions Pipeline => Study.Pipeline;
    public AttributionOptions Attribution => Pipeline.Attribution;
    public IgSettings Ig => Pipeline.Ig;
    public TaskOptions TaskOptions => Study.TaskOptions;
    public bool NoFilter => !Study.BehaviourFilter;
    public ScalarType DType => Float64 ? ScalarType.Float64 : ScalarType.Float32;

    /// <summary>Which units this process computes: a shard's, none (a merge), or all.</summary>
    public UnitSelection Selection => Shard ?? (Merge ? UnitSelection.Nothing : UnitSelection.All);

    /// <summary>The options as a reader of the report needs them.</summary>
    public IEnumerable<(string Name, string Value)> Describe()
    {
        yield return ("tasks", string.Join(", ", Tasks.Select(t => t.Id())));
        yield return ("examples per task", Study.Examples.ToString(CultureInfo.InvariantCulture));
        yield return ("methods", string.Join(", ", Pipeline.Methods.Select(m => m.Id())));
        yield return ("components", string.Join(", ", Pipeline.Kinds.Select(k => k.Id())));
        yield return ("IG rule", Ig.Quadrature switch
        {
            IgQuadrature.Adaptive a => string.Create(CultureInfo.InvariantCulture,
                $"steps auto: adaptive composite Gauss–Legendre ({AdaptiveComposite.NodesPerPiece} nodes per piece, the path cut at the sweep's scales and bisected until the completeness error ≤ {a.Tolerance:G3} × \\|F(a') − F(a)\\| per prompt and layer, plus the round-off allowance {IntegratedGradients.RoundOffAllowanceText(DType).Replace("|", "\\|")}; at most {a.Cap} evaluations), {Ig.Baseline.Id()} baseline"),
            IgQuadrature.Fixed f => string.Create(CultureInfo.InvariantCulture, $"{f.Rule.Id()}, {f.Evaluations} steps, {Ig.Baseline.Id()} baseline"),
            _ => throw new ArgumentOutOfRangeException(nameof(Ig)),
        });
        yield return ("direction", Study.Structure is { } structure
            ? $"both: {Attribution.Direction.Id()} (the tables and verification) and {Study.Opposite!.Attribution.Direction.Id()} (its own units, no sweep); AND / OR structure with the pairs of the {structure.Interactions} components per kind with the largest share of the gap noised jointly (resample)"
            : Attribution.Direction.Id());
        yield return ("per position", Attribution.PerPosition ? "yes" : "no");
        yield return ("AP neuron subset", Pipeline.NeuronsPerLayer > 0 ? $"{Pipeline.NeuronsPerLayer} per layer (seed {Pipeline.Seed})" : "all neurons");
        yield return ("similarity sweep", Pipeline.SweepScales.Count == 0 ? "off" : string.Join(", ", Pipeline.SweepScales.Select(s => s.ToString(CultureInfo.InvariantCulture))));
        yield return ("top-k", $"{(Pipeline.TopFraction * 100).ToString("0.##", CultureInfo.InvariantCulture)} % of components by \\|score\\|");
        yield return ("IOI corruption", TaskOptions.IoiCorruption == IoiCorruption.IndirectObject ? "corrupted_hard (S → IO)" : "corrupted (S → third name)");
        yield return ("metric", TaskOptions.LogitVariant ? "logit-difference variant for every task" : "as in the literature");
        yield return ("device", Device + (Float64 ? ", float64" : ", float32"));
        yield return ("seed", Pipeline.Seed.ToString(CultureInfo.InvariantCulture));
        var v = Study.Verification;
        yield return ("verification", v.Runs
            ? $"{v.Analyses.Id()}; faithfulness circuits of {string.Join(", ", v.CircuitFractions.Select(f => (f * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %"))} of each kind, the rest {v.Ablation.Id()}-ablated; {v.RandomRankings} random rankings as control; {v.BootstrapSamples} bootstrap resamples"
            : "off (--verify none)");
        if (v.Runs) yield return ("mean ablation", "each component's mean over every real token position of the task sample's clean prompts (pads excluded)");
        yield return ("behaviour filter", NoFilter ? "off (--no-filter)" : "on, except on random models");
    }
}
