using Concord.Methods.Attribution;
using Concord.Methods.Components;
using Concord.Methods.Pipeline;
using Concord.Methods.Quadrature;
using Concord.Tasks;

namespace Concord.Cli.Run;

/// <summary>Everything `concord run` was asked to do, validated.</summary>
public sealed record RunSettings(
    IReadOnlyList<TaskKind> Tasks,
    string? Model,
    string? Data,
    int Examples,
    PipelineOptions Pipeline,
    TaskOptions TaskOptions,
    string Device,
    bool Float64,
    string Out,
    bool Fresh,
    bool NoFilter,
    IReadOnlyList<(string Name, string Value)> CommandLine)
{
    /// <summary>With --shard I/N: compute only this shard's units and write no report.</summary>
    public Shard? Shard { get; init; }

    /// <summary>With --merge: compute nothing; build the outputs from the units the shards wrote.</summary>
    public bool Merge { get; init; }

    public AttributionOptions Attribution => Pipeline.Attribution;

    /// <summary>The options as a reader of the report needs them.</summary>
    public IEnumerable<(string Name, string Value)> Describe()
    {
        yield return ("tasks", string.Join(", ", Tasks.Select(t => t.Id())));
        yield return ("examples per task", Examples.ToString());
        yield return ("methods", string.Join(", ", Pipeline.Methods.Select(m => m.Id())));
        yield return ("components", string.Join(", ", Pipeline.Kinds.Select(k => k.Id())));
        yield return ("IG rule", Attribution.IgTolerance is double t
            ? $"{Attribution.Rule.Id()}, steps auto (doubling from {IntegratedGradients.AdaptiveInitialSteps} until the completeness error ≤ {t:G3} × \\|F(a') − F(a)\\| per prompt, at most {Attribution.Steps}), {Attribution.Baseline.ToString().ToLowerInvariant()} baseline"
            : $"{Attribution.Rule.Id()}, {Attribution.Steps} steps, {Attribution.Baseline.ToString().ToLowerInvariant()} baseline");
        yield return ("direction", Attribution.Direction.ToString().ToLowerInvariant());
        yield return ("per position", Attribution.PerPosition ? "yes" : "no");
        yield return ("AP neuron subset", Pipeline.NeuronsPerLayer > 0 ? $"{Pipeline.NeuronsPerLayer} per layer (seed {Pipeline.Seed})" : "all neurons");
        yield return ("similarity sweep", Pipeline.SweepScales.Count == 0 ? "off" : string.Join(", ", Pipeline.SweepScales));
        yield return ("top-k", $"{Pipeline.TopFraction:P0} of components by \\|score\\|");
        yield return ("IOI corruption", TaskOptions.IoiCorruption == IoiCorruption.IndirectObject ? "corrupted_hard (S → IO)" : "corrupted (S → third name)");
        yield return ("metric", TaskOptions.LogitVariant ? "logit-difference variant for every task" : "as in the literature");
        yield return ("device", Device + (Float64 ? ", float64" : ", float32"));
        yield return ("seed", Pipeline.Seed.ToString());
        yield return ("behaviour filter", NoFilter ? "off (--no-filter)" : "on, except on random models");
    }
}
