using Concord.Methods.Targets;
using Concord.Methods.Pipeline;

namespace Concord.Methods.Structure;

/// <summary>
/// One batch's joint noising for one kind: each chosen component alone, then every pair, on every
/// prompt (resample, the clean run as base). Its key holds the chosen components, so other scores
/// that choose others recompute it.
/// </summary>
public sealed record InteractionUnit(TargetSpace Kind, IReadOnlyList<Target> Components) : WorkUnit
{
    public override string Name => $"interact-{Kind.Id()}";

    public int Sets => Components.Count + Components.Count * (Components.Count - 1) / 2;

    public override string Fingerprint(PipelineOptions options)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(string.Join(",", Components.Select(c => c.Label)))));
        return $"{base.Fingerprint(options)}|interactions={hash}";
    }

    public override bool Matches(UnitResult result, int prompts) =>
        result is InteractionUnitResult r && r.Kind == Kind && r.Base.Length == prompts && r.Metrics.Length == Sets * prompts;
}

/// <summary>m of every set of an <see cref="InteractionUnit"/> on every prompt (set-major), and m(∅) from the same runs.</summary>
public sealed record InteractionUnitResult(TargetSpace Kind, double[] Base, double[] Metrics) : UnitResult;

/// <summary>How an <see cref="InteractionUnitResult"/> is written in a unit file (the pass's own format, tag "interact").</summary>
public sealed record StoredInteraction(string Kind, double[] Base, double[] Metrics) : StoredUnit
{
    public static UnitFormat Format { get; } = UnitFormat.Of<InteractionUnitResult, StoredInteraction>("interact", i => new StoredInteraction(i.Kind.Id(), i.Base, i.Metrics));

    public override UnitResult ToResult() =>
        new InteractionUnitResult(StoredFields.Parse(StoredFields.Required(Kind), id => TargetSpace.Parse(id)), StoredFields.Required(Base), StoredFields.Required(Metrics));
}
