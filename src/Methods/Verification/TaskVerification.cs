using Concord.Methods.Targets;
using Concord.Methods.Interventions;

namespace Concord.Methods.Verification;

/// <summary>One kind's verification: its faithfulness curves and its disagreements verified (each null when not asked for or not computable).</summary>
public sealed record KindVerification(TargetSpace Kind, KindFaithfulness? Faithfulness, KindDisagreements? Disagreements)
{
    /// <summary>How well each method's scores predict the isolated mean-ablation effects (empty unless `isolated` ran).</summary>
    public IReadOnlyList<Predictiveness> Predictiveness { get; init; } = [];
}

/// <summary>A task's verification by intervention, kind by kind.</summary>
/// <param name="MeanPositions">Real token positions of the task sample's clean prompts: what mean ablation averages over.</param>
public sealed record TaskVerification(VerificationOptions Options, IReadOnlyList<KindVerification> Kinds, long MeanPositions)
{
    public Ablation Ablation => Options.Ablation;
}
