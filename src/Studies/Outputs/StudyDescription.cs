using Concord.Methods.Targets;
using Concord.Methods.Quadrature;
using System.Globalization;
using Concord.Methods.Attribution;
using Concord.Methods.Interventions;
using Concord.Methods.Pipeline;
using Concord.Methods.Verification;
using Concord.Tasks;
using static TorchSharp.torch;

namespace Concord.Studies.Outputs;

/// <summary>A study's options as a reader of the report needs them: one row per choice that changes a number.</summary>
public static class StudyDescription
{
    public static IEnumerable<(string Name, string Value)> Rows(Study study)
    {
        var (options, pipeline) = (study.Options, study.Options.Pipeline);
        var (ig, attribution, dtype) = (pipeline.Ig, pipeline.Attribution, study.Model.DType);
        bool float64 = dtype == ScalarType.Float64;
        yield return ("tasks", string.Join(", ", options.Tasks.Select(t => t.Id())));
        yield return ("examples per task", options.Examples.ToString(CultureInfo.InvariantCulture));
        yield return ("methods", string.Join(", ", pipeline.Methods.Select(m => m.Id())));
        // Only for methods bound with settings of their own (none of the built-in ones), so a reader sees which were used.
        foreach (var m in pipeline.Methods)
            if (m.OwnSettingsText(pipeline.Spaces) is { Length: > 0 } own) yield return ($"{m.Id()} settings", own);
        yield return ("components", string.Join(", ", pipeline.Spaces.Select(k => k.Id())));
        yield return ("IG rule", ig.Quadrature switch
        {
            IgQuadrature.Adaptive a => string.Create(CultureInfo.InvariantCulture,
                $"steps auto: adaptive composite Gauss–Legendre ({AdaptiveComposite.NodesPerPiece} nodes per piece, the path cut at the sweep's scales and bisected until the completeness error ≤ {a.Tolerance:G3} × \\|F(a') − F(a)\\| per prompt and layer, plus the round-off allowance {IntegratedGradients.RoundOffAllowanceText(dtype).Replace("|", "\\|")}; at most {a.Cap} evaluations), {ig.Baseline.Id()} baseline"),
            IgQuadrature.Fixed f => string.Create(CultureInfo.InvariantCulture, $"{f.Rule.Id()}, {f.Evaluations} steps, {ig.Baseline.Id()} baseline"),
            _ => throw new ArgumentOutOfRangeException(nameof(ig)),
        });
        yield return ("direction", options.Structure is { } structure
            ? $"both: {attribution.Direction.Id()} (the tables and verification) and {options.Opposite!.Attribution.Direction.Id()} (its own units, no sweep); AND / OR structure with the pairs of the {structure.Interactions} components per kind with the largest share of the gap noised jointly (resample)"
            : attribution.Direction.Id());
        yield return ("per position", attribution.PerPosition ? "yes" : "no");
        yield return ("AP neuron subset", pipeline.NeuronsPerLayer > 0 ? $"{pipeline.NeuronsPerLayer} per layer (seed {pipeline.Seed})" : "all neurons");
        yield return ("similarity sweep", pipeline.SweepScales.Count == 0 ? "off" : string.Join(", ", pipeline.SweepScales.Select(s => s.ToString(CultureInfo.InvariantCulture))));
        yield return ("top-k", $"{(pipeline.TopFraction * 100).ToString("0.##", CultureInfo.InvariantCulture)} % of components by \\|score\\|");
        yield return ("IOI corruption", options.TaskOptions.IoiCorruption == IoiCorruption.IndirectObject ? "corrupted_hard (S → IO)" : "corrupted (S → third name)");
        yield return ("metric", options.TaskOptions.LogitVariant ? "logit-difference variant for every task" : "as in the literature");
        yield return ("device", study.Device + (float64 ? ", float64" : ", float32"));
        yield return ("seed", pipeline.Seed.ToString(CultureInfo.InvariantCulture));
        var v = options.Verification;
        yield return ("verification", v.Runs
            ? $"{v.Analyses.Id()}; faithfulness circuits of {string.Join(", ", v.CircuitFractions.Select(f => (f * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %"))} of each kind, the rest {v.Ablation.Id()}-ablated; {v.RandomRankings} random rankings as control; {v.BootstrapSamples} bootstrap resamples"
            : "off (--verify none)");
        if (v.Runs) yield return ("mean ablation", "each component's mean over every real token position of the task sample's clean prompts (pads excluded)");
        if (options.Passes.Where(p => !StudyPasses.BuiltIn.Contains(p) || p.Fingerprint(options).Length > 0).ToList() is [_, ..] ownPasses)
            yield return ("passes beyond the built-in ones", string.Join(", ", ownPasses.Select(p => p.Fingerprint(options) is { Length: > 0 } own ? $"{p.Id} ({own})" : p.Id)));
        yield return ("behaviour filter", !options.BehaviourFilter ? "off (--no-filter)" : "on, except on random models");
    }
}
