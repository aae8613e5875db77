using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Quadrature;
using Concord.Methods.Results;
using Concord.Tasks;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Methods;

/// <summary>IG completeness on the real (nonlinear) architecture: Σ_c IG_c → F(a') − F(a) as steps grow.</summary>
public partial class MethodTests
{
    private static readonly Concord.Model.Gpt2Config ConvergenceConfig = new(2, 4, 16, 16, Scenario.Vocab);

    /// <summary>
    /// Worst |Σ IG − (F(a') − F(a))| over prompts, layers and kinds on a fixed, strongly nonlinear
    /// float64 model (weights std 0.4, probability-difference metric, so F is of order 1 and the
    /// error is absolute and relative at once). For this analytic integrand Gauss–Legendre's error
    /// falls geometrically once n resolves the path's curvature (measured: 2.0e-2 at 16, 2.4e-4 at
    /// 32, 3.4e-6 at 50, 1.8e-12 at 100, 4e-16 at 200); each bound is a small multiple of the measured error, and
    /// the last sits just above float64 rounding of a sum of order-1 terms.
    /// </summary>
    [TestCase(16, 6e-2)]
    [TestCase(32, 1e-3)]
    [TestCase(50, 1e-5)]
    [TestCase(100, 1e-10)]
    [TestCase(200, 1e-13)]
    public void GaussLegendreCompletenessErrorIsWithinItsBound(int steps, double maxError)
    {
        double worst = WorstConvergenceDelta(QuadratureRule.GaussLegendre, steps);
        TestContext.Out.WriteLine($"Gauss–Legendre {steps} steps: worst |convergence delta| {worst:E2}");
        Assert.That(worst, Is.LessThanOrEqualTo(maxError));
    }

    [Test]
    public void CompletenessErrorShrinksWithStepsForEveryRule([Values] QuadratureRule rule)
    {
        var errors = new[] { 4, 16, 64 }.Select(steps => WorstConvergenceDelta(rule, steps)).ToArray();
        TestContext.Out.WriteLine($"{rule}: {string.Join(", ", errors.Select(e => e.ToString("E2")))}");
        Assert.That(errors[1], Is.LessThan(errors[0]));
        Assert.That(errors[2], Is.LessThan(errors[1]));
    }

    /// <summary>
    /// The doubling rule (the previous `--steps auto`, now the reference the composite rule is
    /// measured against): at every layer and kind, every prompt's completeness error is within τ of its
    /// |F(a') − F(a)| (floored at 1 % of the batch's largest), using a node count of the doubling
    /// sequence 4, 8, 16, … and never more than the first that meets τ.
    /// </summary>
    [TestCase(1e-2)]
    [TestCase(1e-3)]
    [TestCase(1e-6)]
    public void AdaptiveIgMeetsItsToleranceWithTheFewestDoublings(double tolerance)
    {
        using var scenario = Scenario.Create(3, prompts: 3, readout: MetricReadout.ProbabilityDifference, config: ConvergenceConfig);
        using var context = scenario.Context();
        foreach (var kind in new[] { TargetSpace.Head, TargetSpace.Neuron, TargetSpace.Mlp })
            foreach (var (layer, check) in Enumerable.Range(0, ConvergenceConfig.NLayer).Select(l => (l, IntegratedGradients.Adaptive(context, kind, l, tolerance, maxSteps: 4096).Completeness!)))
            {
                double floor = IntegratedGradients.AdaptiveEffectFloor * check.Expected.Max(Math.Abs);
                // float64 here: the metric's round-off allowance (1e-13 × |F|) is far below every tolerance tested.
                double Relative(Completeness c) => c.Delta.Zip(c.Expected, (d, e) => Math.Abs(d) / Math.Max(Math.Abs(e), floor)).Max();
                Assert.That(Relative(check), Is.LessThanOrEqualTo(tolerance + 1e-12), $"{kind} layer {layer}");
                Assert.That(check.Steps % IntegratedGradients.AdaptiveInitialSteps, Is.Zero);
                Assert.That(System.Numerics.BitOperations.IsPow2(check.Steps / IntegratedGradients.AdaptiveInitialSteps), Is.True, $"{check.Steps} is on the doubling sequence");
                if (check.Steps > IntegratedGradients.AdaptiveInitialSteps)
                {
                    // The previous doubling did not meet τ, or it would have been used.
                    var previous = IntegratedGradients.Layer(context, kind, layer, QuadraturePoints.For(QuadratureRule.GaussLegendre, check.Steps / 2)).Completeness!;
                    Assert.That(Relative(previous), Is.GreaterThan(tolerance), $"{kind} layer {layer}: {check.Steps / 2} nodes would have done");
                }
                TestContext.Out.WriteLine($"τ {tolerance:G1}: {kind} layer {layer}: {check.Steps} nodes, relative error {Relative(check):E1}");
            }
    }

    /// <summary>A tolerance the cap cannot reach ends the unit with the layer, the error reached and the cap named.</summary>
    [Test]
    public void AnUnreachableToleranceIsAnErrorNamingLayerErrorAndCap()
    {
        using var scenario = Scenario.Create(3, prompts: 2, readout: MetricReadout.ProbabilityDifference, config: ConvergenceConfig);
        using var context = scenario.Context();
        var error = Assert.Throws<IgToleranceException>(() =>
        {
            for (int l = 0; l < ConvergenceConfig.NLayer; l++) IntegratedGradients.Adaptive(context, TargetSpace.Neuron, l, 1e-12, maxSteps: 8);
        })!;
        Assert.That(error.Steps, Is.EqualTo(8));
        Assert.That(error.Reached, Is.GreaterThan(1e-12));
        Assert.That(error.Message, Does.Contain($"layer {error.Layer}").And.Contain("cap of 8").And.Contain("1E-12"));
    }

    private static double WorstConvergenceDelta(QuadratureRule rule, int steps)
    {
        using var scenario = Scenario.Create(3, prompts: 3, readout: MetricReadout.ProbabilityDifference, config: ConvergenceConfig);
        using var context = scenario.Context();
        double worst = 0;
        foreach (var kind in new[] { TargetSpace.Head, TargetSpace.Neuron, TargetSpace.Mlp })
            for (int l = 0; l < ConvergenceConfig.NLayer; l++)
                worst = Math.Max(worst, IntegratedGradients.Layer(context, kind, l, Nodes(steps, rule)).Completeness!.MaxAbsDelta);
        return worst;
    }
}
