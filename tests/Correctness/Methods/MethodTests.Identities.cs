using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Quadrature;
using Concord.Methods.Results;
using Concord.Model;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Methods;

/// <summary>Exact identities of the definitions, as FsCheck properties over random tiny models and prompts.</summary>
[TestFixture]
public partial class MethodTests
{
    private static readonly IReadOnlyList<TargetSpace> Kinds = TargetSpace.BuiltIn;
    // float64 models: identities hold to rounding, ~1e-15 relative per operation through a few layers.
    private const double Float64Tol = 1e-9;

    private static Arbitrary<int> Seeds => Gen.Choose(0, 1_000_000).ToArbitrary();

    /// <summary>
    /// With LayerNorm, GELU and attention patterns made linear (patterns frozen through hooks) and a
    /// logit-difference metric, F is affine in every activation: IG (any rule, any step count) = AP
    /// = AtP for every component, and Σ_c AP_c = F(a') − F(a).
    /// </summary>
    [FsCheck.NUnit.Property(MaxTest = 12)]
    public Property OnALinearisedModelIgEqualsApEqualsAtp() => Prop.ForAll(Seeds, seed =>
    {
        using var scenario = Scenario.Create(seed);
        using var linear = scenario.Model.WithVariant(ForwardVariant.Linearised);
        var random = new Random(seed);
        var rule = Enum.GetValues<QuadratureRule>()[random.Next(5)];
        int steps = random.Next(rule == QuadratureRule.Trapezoid ? 2 : 1, 6);
        var options = new AttributionOptions { FixedHooks = scenario.FrozenPatterns() };
        using var context = scenario.Context(options, model: linear);
        var atp = new AttributionPatching().AttributeAll(context, Kinds);
        foreach (var kind in Kinds)
            for (int l = 0; l < scenario.Config.NLayer; l++)
            {
                var what = $"{scenario}, {kind} layer {l}, {rule}×{steps}";
                var ig = IntegratedGradients.Layer(context, kind, l, Nodes(steps, rule));
                var ap = ActivationPatching.Layer(context, kind, l).Scores;
                var expected = ig.Completeness!.Expected;
                ScoreAssert.Close(ig.Scores, ap, Float64Tol, Float64Tol, what);
                ScoreAssert.Close(atp[kind].Scores.Select(ap.Targets), ap, Float64Tol, Float64Tol, what);
                for (int b = 0; b < scenario.Batch.Count; b++)
                    Assert.That(ap.Row(b).Sum(), Is.EqualTo(expected[b]).Within(Float64Tol * (1 + Math.Abs(expected[b]))), $"{what}: Σ AP = F(a') − F(a)");
            }
    });

    /// <summary>a' = a: Δ = 0, so every method scores every component 0.</summary>
    [FsCheck.NUnit.Property(MaxTest = 6)]
    public Property IdenticalCorruptionGivesZeroScores() => Prop.ForAll(Seeds, seed =>
    {
        using var scenario = Scenario.Create(seed, identicalCorruption: true);
        using var context = scenario.Context();
        var atp = new AttributionPatching().AttributeAll(context, Kinds);
        for (int k = 0; k < Kinds.Count; k++)
        {
            ScoreAssert.AllZero(atp[Kinds[k]].Scores, 1e-12, $"{scenario} AtP {Kinds[k]}");
            for (int l = 0; l < scenario.Config.NLayer; l++)
            {
                ScoreAssert.AllZero(IntegratedGradients.Layer(context, Kinds[k], l, QuadraturePoints.For(QuadratureRule.GaussLegendre, 3)).Scores, 1e-12, $"{scenario} IG {Kinds[k]} {l}");
                ScoreAssert.AllZero(ActivationPatching.Layer(context, Kinds[k], l).Scores, 1e-12, $"{scenario} AP {Kinds[k]} {l}");
            }
        }
    });

    /// <summary>z ↦ z·W_O is linear, so head scores at hook_z equal scores at the head outputs, for every method.</summary>
    [FsCheck.NUnit.Property(MaxTest = 8)]
    public Property HeadScoresAtHookZEqualScoresAtTheHeadOutputs() => Prop.ForAll(Seeds, seed =>
    {
        using var scenario = Scenario.Create(seed);
        using var context = scenario.Context();
        var atp = new AttributionPatching().AttributeAll(context, [TargetSpace.Head, TargetSpace.HeadOutput]);
        ScoreAssert.Close(Relabel(atp[TargetSpace.HeadOutput].Scores), atp[TargetSpace.Head].Scores, Float64Tol, Float64Tol, $"{scenario} AtP");
        for (int l = 0; l < scenario.Config.NLayer; l++)
        {
            ScoreAssert.Close(Relabel(ActivationPatching.Layer(context, TargetSpace.HeadOutput, l).Scores),
                ActivationPatching.Layer(context, TargetSpace.Head, l).Scores, Float64Tol, Float64Tol, $"{scenario} AP layer {l}");
            ScoreAssert.Close(Relabel(IntegratedGradients.Layer(context, TargetSpace.HeadOutput, l, Nodes(8)).Scores),
                IntegratedGradients.Layer(context, TargetSpace.Head, l, Nodes(8)).Scores, Float64Tol, Float64Tol, $"{scenario} IG layer {l}");
        }
    });

    private static ScoreSet Relabel(ScoreSet headOutputs) => new(headOutputs.MethodId,
        headOutputs.Targets.Select(c => c with { Space = TargetSpace.Head }).ToList(), headOutputs.Values);

    /// <summary>Denoising is, by definition, noising with the clean and corrupted prompts swapped.</summary>
    [FsCheck.NUnit.Property(MaxTest = 6)]
    public Property DenoisingIsNoisingWithThePromptsSwapped() => Prop.ForAll(Seeds, seed =>
    {
        using var scenario = Scenario.Create(seed);
        using var swapped = scenario.Swapped();
        using var denoising = scenario.Context(new AttributionOptions { Direction = Direction.Denoising });
        using var noisingSwapped = scenario.Context(null, swapped);
        var atpDenoising = new AttributionPatching().AttributeAll(denoising, Kinds);
        var atpSwapped = new AttributionPatching().AttributeAll(noisingSwapped, Kinds);
        for (int k = 0; k < Kinds.Count; k++)
        {
            ScoreAssert.Close(atpDenoising[Kinds[k]].Scores, atpSwapped[Kinds[k]].Scores, 1e-12, 1e-12, $"{scenario} AtP {Kinds[k]}");
            for (int l = 0; l < scenario.Config.NLayer; l++)
            {
                ScoreAssert.Close(ActivationPatching.Layer(denoising, Kinds[k], l).Scores, ActivationPatching.Layer(noisingSwapped, Kinds[k], l).Scores, 1e-12, 1e-12, $"{scenario} AP");
                ScoreAssert.Close(IntegratedGradients.Layer(denoising, Kinds[k], l, Nodes(4)).Scores, IntegratedGradients.Layer(noisingSwapped, Kinds[k], l, Nodes(4)).Scores, 1e-12, 1e-12, $"{scenario} IG");
            }
        }
    });
}
