using Concord.Methods.Pipeline;

namespace Concord.Methods.Edges;

/// <summary>One batch's edge faithfulness runs: m(C) of every circuit of a plan on every prompt, with m(full) and m(∅) from the same context.</summary>
public sealed record EdgeCircuitUnit(EdgeOptions Edges, string Plan, int Circuits) : WorkUnit
{
    public override string Name => "faithfulness-edges";

    public override string Fingerprint(PipelineOptions options) => $"{base.Fingerprint(options)}|ablation={Edges.Ablation.ToString().ToLowerInvariant()}|plan={Plan}";

    public override bool Matches(UnitResult result, int prompts) =>
        result is EdgeCircuitUnitResult r && r.Full.Length == prompts && r.Empty.Length == prompts && r.Metrics.Length == Circuits && r.Metrics.All(m => m.Length == prompts);
}

/// <summary>m(C) [circuit][prompt] in the plan's <see cref="EdgeFaithfulnessPlan.ToRun"/> order; m(full) and m(∅) per prompt.</summary>
public sealed record EdgeCircuitUnitResult(double[][] Metrics, double[] Full, double[] Empty) : UnitResult;

/// <summary>How an <see cref="EdgeCircuitUnitResult"/> is written in a unit file (tag "edge-circuits").</summary>
public sealed record StoredEdgeCircuits(double[][] Metrics, double[] Full, double[] Empty) : StoredUnit
{
    public static UnitFormat Format { get; } = UnitFormat.Of<EdgeCircuitUnitResult, StoredEdgeCircuits>("edge-circuits", r => new StoredEdgeCircuits(r.Metrics, r.Full, r.Empty));

    public override UnitResult ToResult() => new EdgeCircuitUnitResult(StoredFields.Required(Metrics), StoredFields.Required(Full), StoredFields.Required(Empty));
}
