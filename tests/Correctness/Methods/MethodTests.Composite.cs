using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Quadrature;
using Concord.Methods.Results;
using Concord.Tasks;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Methods;

/// <summary>
/// Adaptive composite IG (`--steps auto`): completeness within τ on every prompt, layer and
/// breakpoint; the same scores as a high-order fixed rule; the sweep's IG from the same evaluations;
/// no more evaluations than the doubling it replaced; a float floor reported at once.
/// </summary>
public partial class MethodTests
{
    private static readonly TargetSpace[] CompositeKinds = [TargetSpace.Head, TargetSpace.Neuron, TargetSpace.Mlp];

    /// <summary>The reference: 256 Gauss–Legendre nodes reach float64 round-off on this path (1.8e-12 already at 100, see <see cref="ConvergenceConfig"/>).</summary>
    private const int ReferenceNodes = 256;

    [TestCase(1e-2)]
    [TestCase(1e-4)]
    [TestCase(1e-7)]
    public void CompositeIgMeetsItsToleranceAndEqualsAHighOrderRule(double tolerance)
    {
        using var scenario = Scenario.Create(3, prompts: 3, readout: MetricReadout.ProbabilityDifference, config: ConvergenceConfig);
        using var context = scenario.Context();
        foreach (var kind in CompositeKinds)
            for (int l = 0; l < ConvergenceConfig.NLayer; l++)
            {
                var outcome = AdaptiveComposite.Layer(context, kind, l, tolerance);
                var check = outcome.Full.Completeness!;
                var reference = IntegratedGradients.Layer(context, kind, l, Nodes(ReferenceNodes));
                double effectFloor = IntegratedGradients.AdaptiveEffectFloor * check.Expected.Max(Math.Abs);
                for (int p = 0; p < check.Delta.Length; p++)
                {
                    double scale = Math.Max(Math.Abs(check.Expected[p]), effectFloor);
                    // float64: the round-off allowances (1e-13 × |F|, 1e-12 × Σ|IG_i|) are far below every τ tested.
                    Assert.That(Math.Abs(check.Delta[p]), Is.LessThanOrEqualTo(tolerance * scale + 1e-11), $"{kind} layer {l} prompt {p}");
                    for (int j = 0; j < reference.Scores.Targets.Count; j++)
                        Assert.That(outcome.Full.Scores[p, j], Is.EqualTo(reference.Scores[p, j]).Within(tolerance * scale + 1e-11),
                            $"{kind} layer {l} prompt {p} {reference.Scores.Targets[j]}: a component's quadrature error is bounded by the piece errors that the tolerance bounds");
                }
                TestContext.Out.WriteLine($"τ {tolerance:G1}: {kind} L{l}: {outcome.Evaluations} evaluations in {outcome.Pieces.Count} pieces, {outcome.Forwards} forwards");
            }
    }

    /// <summary>
    /// The composite rule never needs more gradient evaluations than the doubling it replaced (4, 8,
    /// 16, … nodes, every attempt evaluated anew) for the same τ.
    /// </summary>
    [TestCase(1e-3)]
    [TestCase(1e-6)]
    public void CompositeIgNeedsNoMoreEvaluationsThanDoubling(double tolerance)
    {
        using var scenario = Scenario.Create(3, prompts: 3, readout: MetricReadout.ProbabilityDifference, config: ConvergenceConfig);
        using var context = scenario.Context();
        int composite = 0, doubling = 0;
        foreach (var kind in CompositeKinds)
            for (int l = 0; l < ConvergenceConfig.NLayer; l++)
            {
                composite += AdaptiveComposite.Layer(context, kind, l, tolerance).Evaluations;
                int final = IntegratedGradients.Adaptive(context, kind, l, tolerance).Completeness!.Steps;
                for (int n = IntegratedGradients.AdaptiveInitialSteps; n <= final; n *= 2) doubling += n;
            }
        TestContext.Out.WriteLine($"τ {tolerance:G1}: composite {composite} gradient evaluations, doubling {doubling}");
        Assert.That(composite, Is.LessThanOrEqualTo(doubling));
    }

    /// <summary>The sweep's IG at s is the part of the one integral left of s: equal to IG computed anew along a → a + sΔ, within τ.</summary>
    [Test]
    public void TheSweepsIgComesFromTheSameEvaluations()
    {
        const double tolerance = 1e-6;
        double[] scales = [0.25, 0.5];
        using var scenario = Scenario.Create(3, prompts: 3, readout: MetricReadout.ProbabilityDifference, config: ConvergenceConfig);
        using var context = scenario.Context();
        foreach (var kind in CompositeKinds)
            for (int l = 0; l < ConvergenceConfig.NLayer; l++)
            {
                var outcome = AdaptiveComposite.Layer(context, kind, l, tolerance, breakpoints: scales);
                Assert.That(outcome.Pieces.Select(p => p.End), Does.Contain(0.25).And.Contain(0.5), "the path is cut at the sweep's scales");
                foreach (var (s, prefix) in outcome.Prefixes)
                {
                    var anew = IntegratedGradients.Layer(context, kind, l, Nodes(ReferenceNodes), scale: s);
                    var expected = anew.Completeness!.Expected;
                    Assert.That(prefix.Completeness!.Expected, Is.EqualTo(expected).Within(1e-12), $"{kind} L{l} s={s}: F(a + sΔ) − F(a)");
                    double scale = Math.Max(expected.Max(Math.Abs), 1e-300);
                    ScoreAssert.Close(prefix.Scores, anew.Scores, 0, tolerance * scale + 1e-11, $"{kind} L{l} s={s}");
                }
            }
        // Through the method: IG at the sweep's scale reads the memoised integral, no new evaluation.
        var settings = IgSettings.Auto(tolerance).CutAt(scales);
        new IntegratedGradients(settings).Attribute(context, TargetSpace.Head);
        int before = context.RunsCounted;
        new IntegratedGradients(settings, corruptionScale: 0.25).Attribute(context, TargetSpace.Head);
        Assert.That(context.RunsCounted, Is.EqualTo(before), "the sweep point ran nothing");
    }

    /// <summary>
    /// A tolerance below float32's round-off of F, with the round-off allowance switched off so that
    /// the floor shows: refinement stops lowering the error, and the layer stops after a few
    /// refinements, far below the cap, saying that float32 round-off limits it.
    /// </summary>
    [Test]
    public void AFloatFloorIsDetectedAtOnceNotAtTheCap()
    {
        using var scenario = Scenario.Create(3, ScalarType.Float32, prompts: 3, readout: MetricReadout.ProbabilityDifference, config: ConvergenceConfig);
        using var context = scenario.Context();
        // 1e-12 of |ΔF| is five orders below float32's resolution: no quadrature reaches it.
        var outcome = AdaptiveComposite.Layer(context, TargetSpace.Mlp, 0, 1e-12, cap: 4096, roundOffAllowance: 0);
        TestContext.Out.WriteLine($"{outcome.Stopped} ({outcome.Evaluations} evaluations, {outcome.Pieces.Count} pieces)");
        Assert.That(outcome.Stopped, Does.Contain("float32 round-off"));
        Assert.That(outcome.Evaluations, Is.LessThan(4096 / 4), "stopped long before the cap");
        // And the same path in float64 with a reachable τ converges: the floor was the number type's.
        using var precise = Scenario.Create(3, prompts: 3, readout: MetricReadout.ProbabilityDifference, config: ConvergenceConfig);
        using var preciseContext = precise.Context();
        Assert.That(AdaptiveComposite.Layer(preciseContext, TargetSpace.Mlp, 0, 1e-9, roundOffAllowance: 0).Stopped, Is.Null);
    }
}
