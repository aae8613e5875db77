using Concord.Methods.Targets;
using Concord.Methods.Interventions;
using Concord.Methods.Pipeline;

namespace Concord.Methods.Verification;

/// <summary>
/// One batch's interventions for one kind: the faithfulness sets on every prompt, the disagreement
/// categories under resample and mean ablation, and the isolated mean-ablation effects. Its key holds
/// the plan (every set, so new scores or rankings recompute it) and the task sample the means come from.
/// </summary>
public sealed record VerificationUnit(TargetSpace Kind, VerificationOptions Verification, string Plan, string Sample,
    int FaithfulnessRows, int DisagreementRows, int IsolatedRows) : WorkUnit
{
    public override string Name => $"verify-{Kind.Id()}";

    public override string Fingerprint(PipelineOptions options)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Plan + "|" + Sample)));
        // The plan names every set (so circuit sizes, random rankings, seed and "high" are in it); the
        // bootstrap only aggregates, so changing it recomputes nothing.
        return $"{base.Fingerprint(options)}|verify={Verification.Analyses.Id()}|ablation={Verification.Ablation.Id()}|plan={hash}";
    }

    public override bool Matches(UnitResult result, int prompts) =>
        result is VerificationUnitResult r && r.Kind == Kind && r.Base.Length == prompts && r.Faithfulness.Length == FaithfulnessRows
        && r.DisagreementResample.Length == DisagreementRows && r.DisagreementMean.Length == DisagreementRows && r.Isolated.Length == IsolatedRows;
}

/// <summary>
/// The metric of every intervened row of a <see cref="VerificationUnit"/>, in its plan's order, and
/// m(∅) of each prompt from the same runs: effects subtract the base metric of their own context, so
/// float32 round-off of a separately computed base never enters an effect.
/// </summary>
public sealed record VerificationUnitResult(TargetSpace Kind, double[] Base, double[] Faithfulness, double[] DisagreementResample, double[] DisagreementMean, double[] Isolated) : UnitResult;

/// <summary>How a <see cref="VerificationUnitResult"/> is written in a unit file (the pass's own format, tag "verify").</summary>
public sealed record StoredVerification(string Kind, double[] Base, double[] Faithfulness, double[] DisagreementResample, double[] DisagreementMean, double[] Isolated) : StoredUnit
{
    public static UnitFormat Format { get; } = UnitFormat.Of<VerificationUnitResult, StoredVerification>("verify",
        v => new StoredVerification(v.Kind.Id(), v.Base, v.Faithfulness, v.DisagreementResample, v.DisagreementMean, v.Isolated));

    public override UnitResult ToResult() => new VerificationUnitResult(StoredFields.Parse(StoredFields.Required(Kind), id => TargetSpace.Parse(id)),
        StoredFields.Required(Base), StoredFields.Required(Faithfulness), StoredFields.Required(DisagreementResample), StoredFields.Required(DisagreementMean), StoredFields.Required(Isolated));
}
