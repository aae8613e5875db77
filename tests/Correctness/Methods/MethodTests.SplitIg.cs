using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Tasks;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Methods;

/// <summary>
/// Split IG (`--split-ig r`): each prompt's integral ends where F first covers r of F(1) − F(0) (within
/// <see cref="AdaptiveComposite.SplitTolerance"/>, no evaluated α before it covering r); it equals IG computed anew along a → a + e·Δ (a fixed high-order rule, the sweep's path at scale e),
/// meets τ against F at the split, and is read from IG's own integral.
/// </summary>
public partial class MethodTests
{
    [TestCase(0.5, 1e-6)]
    [TestCase(0.9, 1e-6)]
    [TestCase(0.99, 1e-4)]
    public void SplitIgIsIgUpToEachPromptsSplitPoint(double fraction, double tolerance)
    {
        using var scenario = Scenario.Create(3, prompts: 3, readout: MetricReadout.ProbabilityDifference, config: ConvergenceConfig);
        using var context = scenario.Context();
        foreach (var kind in CompositeKinds)
            for (int l = 0; l < ConvergenceConfig.NLayer; l++)
            {
                var outcome = AdaptiveComposite.Layer(context, kind, l, tolerance, split: fraction);
                var split = outcome.Split!;
                var check = split.Completeness!;
                var ends = check.Ends!;
                var path = check.Path!;
                double effectFloor = IntegratedGradients.AdaptiveEffectFloor * check.Expected.Max(Math.Abs);
                for (int p = 0; p < ends.Length; p++)
                {
                    string where = $"{kind} L{l} prompt {p}, split at α = {ends[p]:G4}";
                    // Where the split is: F there has covered r (to the search's tolerance), and no α evaluated before it had.
                    double range = outcome.Full.Completeness!.Expected[p];
                    Assert.That(check.Expected[p] / range, Is.EqualTo(fraction).Within(AdaptiveComposite.SplitTolerance), where + ": progress at the split");
                    Assert.That(path.Alphas.Where(x => x < ends[p]).Select(x => path.ProgressAt(p, x)), Is.All.LessThan(fraction), where + ": no earlier evaluated α covers r");

                    // Against IG computed anew up to the prompt's split point (float64: round-off far below τ, as above).
                    var anew = IntegratedGradients.Layer(context, kind, l, Nodes(ReferenceNodes), scale: ends[p]);
                    Assert.That(check.Expected[p], Is.EqualTo(anew.Completeness!.Expected[p]).Within(1e-12), where + ": F(split) − F(0)");
                    double scale = Math.Max(Math.Abs(check.Expected[p]), effectFloor);
                    Assert.That(Math.Abs(check.Delta[p]), Is.LessThanOrEqualTo(tolerance * scale + 1e-11), where + ": completeness against F at the split");
                    for (int j = 0; j < anew.Scores.Targets.Count; j++)
                        Assert.That(split.Scores[p, j], Is.EqualTo(anew.Scores[p, j]).Within(tolerance * scale + 1e-11), $"{where} {anew.Scores.Targets[j]}");
                }
                // IG itself is still IG over the whole path, within τ.
                var whole = outcome.Full.Completeness!;
                double floor = IntegratedGradients.AdaptiveEffectFloor * whole.Expected.Max(Math.Abs);
                for (int p = 0; p < whole.Delta.Length; p++)
                    Assert.That(Math.Abs(whole.Delta[p]), Is.LessThanOrEqualTo(tolerance * Math.Max(Math.Abs(whole.Expected[p]), floor) + 1e-11));
                TestContext.Out.WriteLine($"r {fraction}: {kind} L{l}: split at α = {string.Join(", ", ends.Select(e => e.ToString("G3")))}; {outcome.Evaluations} evaluations in {outcome.Pieces.Count} pieces");
            }
    }

    /// <summary>
    /// float32 with effects near F's round-off (a random tiny model: |F(1) − F(0)| down to 5e-5 against
    /// |F| ≈ 0.6): progress is noise there, so the search may never reach 1e-3 and ends on a narrow bracket.
    /// Every split point lies in (0, 1], no evaluated α before it covers r, and none throws (the search once
    /// read F at a point of its own from the grid's table and failed).
    /// </summary>
    [Test]
    public void SplitIgOnEffectsAtFloatRoundOffStaysOnTheGrid()
    {
        using var scenario = Scenario.Create(7, ScalarType.Float32, prompts: 3);
        using var context = scenario.Context();
        for (int l = 0; l < scenario.Model.Config.NLayer; l++)
            foreach (var kind in CompositeKinds)
            {
                var outcome = AdaptiveComposite.Layer(context, kind, l, 1e-3, split: 0.9);
                var ends = outcome.Split!.Completeness!.Ends!;
                Assert.That(ends, Is.All.GreaterThan(0.0).And.All.LessThanOrEqualTo(1.0), $"{kind} L{l}");
                var path = outcome.Full.Completeness!.Path!;
                for (int p = 0; p < ends.Length; p++)
                    Assert.That(path.Alphas.Where(x => x < ends[p]).Select(x => path.ProgressAt(p, x)), Is.All.LessThan(0.9), $"{kind} L{l} prompt {p}");
            }
    }

    /// <summary>r = 1 on a prompt whose F ends where it is largest: the split is the end of the path, and split IG is IG.</summary>
    [Test]
    public void SplitIgAtTheWholeRangeOfAMonotonePathIsIg()
    {
        using var scenario = Scenario.Create(3, prompts: 3, readout: MetricReadout.ProbabilityDifference, config: ConvergenceConfig);
        using var context = scenario.Context();
        var outcome = AdaptiveComposite.Layer(context, TargetSpace.Mlp, 1, 1e-6, split: 1);
        var path = outcome.Full.Completeness!.Path!;
        var ends = outcome.Split!.Completeness!.Ends!;
        int checkedPrompts = 0;
        for (int p = 0; p < ends.Length; p++)
        {
            // Only prompts whose F reaches its full range first at α = 1 (no overshoot before it) have their split there.
            if (path.Alphas.Any(x => x < 1 && path.ProgressAt(p, x) >= 1)) continue;
            checkedPrompts++;
            Assert.That(ends[p], Is.EqualTo(1));
            for (int j = 0; j < outcome.Full.Scores.Targets.Count; j++)
                Assert.That(outcome.Split.Scores[p, j], Is.EqualTo(outcome.Full.Scores[p, j]).Within(1e-15), "the same pieces summed");
        }
        Assert.That(checkedPrompts, Is.GreaterThan(0), "some prompt of this scenario has a monotone path");
    }

    /// <summary>Through the registered method: split IG reads IG's memoised integral (no evaluation of its own), and a fixed rule is refused.</summary>
    [Test]
    public void SplitIgSharesIgsIntegralAndNeedsTheAdaptiveRule()
    {
        using var scenario = Scenario.Create(3, prompts: 3, readout: MetricReadout.ProbabilityDifference, config: ConvergenceConfig);
        using var context = scenario.Context();
        var settings = IgSettings.Auto(1e-4, split: 0.9);
        var ig = new IntegratedGradients(settings).Attribute(context, TargetSpace.Head);
        int before = context.RunsCounted;
        var split = Method.IgSplit.Create(MethodSettings.Default with { Ig = settings }, null).Attribute(context, TargetSpace.Head);
        Assert.That(context.RunsCounted, Is.EqualTo(before), "split IG ran nothing of its own");
        Assert.That(split.Method, Is.EqualTo(Method.IgSplit));
        Assert.That(split.Completeness.Select(x => x.Check.Ends), Is.All.Not.Null);
        Assert.That(split.Completeness.Select(c => c.Layer), Is.EqualTo(ig.Completeness.Select(c => c.Layer)));

        var error = Assert.Throws<ArgumentException>(() => new SplitIntegratedGradients(IgSettings.FixedNodes(50)));
        Assert.That(error!.Message, Does.Contain("adaptive composite rule"));
        Assert.Throws<ArgumentException>(() => new SplitIntegratedGradients(IgSettings.Auto(1e-3)), "the adaptive rule without a split fraction");
        Assert.Throws<ArgumentOutOfRangeException>(() => AdaptiveComposite.Layer(context, TargetSpace.Head, 0, 1e-3, split: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => AdaptiveComposite.Layer(context, TargetSpace.Head, 0, 1e-3, split: double.NaN));
        Assert.That(AdaptiveComposite.Layer(context, TargetSpace.Head, 0, 1e-3).Split, Is.Null, "no split asked for, none computed");
    }
}
