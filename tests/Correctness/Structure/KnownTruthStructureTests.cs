using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Quadrature;
using Concord.Methods.Results;
using Concord.Methods.Structure;
using Concord.Model;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Structure;

/// <summary>
/// Asymmetry and interactions (src/Methods/Structure) on the hand-built gate models, whose values are
/// analytic: AND inputs A = +1 and I = −1, OR inputs A = −1 and I = +1, additive inputs 0 and 0;
/// IG, which moves every input at once, credits each input half the gap in both directions (A = 0).
/// </summary>
[TestFixture]
public class KnownTruthStructureTests
{
    /// <summary>AP and the joint interventions are exact up to the gate's GELU tail (&lt; 1e-19 of the gap) and float64 round-off of order-1 metrics.</summary>
    private const double ExactTolerance = 1e-9;
    /// <summary>128 Gauss–Legendre nodes on the construction's integrand: quadrature error ≤ 7e-16 (MethodTests.Gates measures it).</summary>
    private const int IgNodes = 128;
    private const double IgTolerance = 1e-9;

    private static ScoreSet Scores(GateModel gate, Direction direction, Func<AttributionContext, int, ScoreSet> method)
    {
        using var context = AttributionContext.Create(gate.Model, gate.Clean, gate.Corrupted, gate.Metric, [TargetSpace.Head], new AttributionOptions { Direction = direction });
        return ScoreSet.Concat(Method.Ap.Id(), Enumerable.Range(0, GateModels.Layers).Select(l => method(context, l)));
    }

    private static IReadOnlyList<ComponentAsymmetry> AsymmetryOf(GateModel gate, Func<AttributionContext, int, ScoreSet> method)
    {
        var gaps = Enumerable.Repeat(gate.Gap, gate.Clean.Count).ToArray();
        return Asymmetry.Of(Scores(gate, Direction.Noising, method), Scores(gate, Direction.Denoising, method), gaps);
    }

    private static ScoreSet Ap(AttributionContext c, int layer) => ActivationPatching.Layer(c, TargetSpace.Head, layer).Scores;
    private static ScoreSet Ig(AttributionContext c, int layer) => IntegratedGradients.Layer(c, TargetSpace.Head, layer, QuadraturePoints.For(QuadratureRule.GaussLegendre, IgNodes)).Scores;

    [TestCase(Gate.And, 1.0, 0.0)]
    [TestCase(Gate.Or, 0.0, 1.0)]
    [TestCase(Gate.Additive, 0.5, 0.5)]
    public void ApAsymmetryOfEachInputIsTheGatesAnalyticValue(Gate kind, double noise, double denoise)
    {
        using var gate = GateModels.TwoHeads(kind);
        var all = AsymmetryOf(gate, Ap);
        foreach (var input in gate.Inputs)
        {
            var a = all.Single(x => x.Target == input);
            Assert.That(a.Noise, Is.EqualTo(noise).Within(ExactTolerance), $"{gate} {input}: n");
            Assert.That(a.Denoise, Is.EqualTo(denoise).Within(ExactTolerance), $"{gate} {input}: d");
            Assert.That(a.A, Is.EqualTo(noise - denoise).Within(2 * ExactTolerance));
        }
        foreach (var bystander in gate.Bystanders)
            Assert.That(all.Single(x => x.Target == bystander).Largest, Is.EqualTo(0.0).Within(ExactTolerance), $"{bystander}");
        var candidates = Asymmetry.Candidates(all).Select(c => c.Target).ToList();
        Assert.That(candidates, kind == Gate.Additive ? Is.Empty : Is.EquivalentTo(gate.Inputs), "the inputs are the candidates, and only they");
    }

    [TestCase(Gate.And)]
    [TestCase(Gate.Or)]
    [TestCase(Gate.Additive)]
    public void IgCreditsHalfTheGapInBothDirections(Gate kind)
    {
        using var gate = GateModels.TwoHeads(kind);
        foreach (var input in gate.Inputs)
        {
            var a = AsymmetryOf(gate, Ig).Single(x => x.Target == input);
            Assert.That(a.Noise, Is.EqualTo(0.5).Within(IgTolerance), $"{gate} {input}");
            Assert.That(a.Denoise, Is.EqualTo(0.5).Within(IgTolerance), $"{gate} {input}");
        }
    }

    [TestCase(Gate.And, -1.0)]
    [TestCase(Gate.Or, 1.0)]
    [TestCase(Gate.Additive, 0.0)]
    public void ThePairsInteractionIsTheGatesAnalyticValue(Gate kind, double expected)
    {
        using var gate = GateModels.TwoHeads(kind);
        using var context = AttributionContext.Create(gate.Model, gate.Clean, gate.Corrupted, gate.Metric, [TargetSpace.Head]);
        var gaps = Enumerable.Repeat(gate.Gap, context.Batch).ToArray();
        var pairs = Interactions.Of(context, TargetSpace.Head, [.. gate.Inputs, gate.Bystanders[0]], gaps);
        var inputs = pairs.Single(p => p.First == gate.Inputs[0] && p.Second == gate.Inputs[1]);
        Assert.That(inputs.Joint, Is.EqualTo(1.0).Within(ExactTolerance), "both inputs noised: the whole gap");
        Assert.That(inputs.Interaction, Is.EqualTo(expected).Within(ExactTolerance));
        foreach (var withBystander in pairs.Where(p => p.Second == gate.Bystanders[0]))
            Assert.That(withBystander.Interaction, Is.EqualTo(0.0).Within(ExactTolerance), "a bystander interacts with nothing");
    }

    /// <summary>Three heads: the AND pair carries 3/4 of the gap and the independent head 1/4 (GateModels.AndPairGap, IndependentGap).</summary>
    [Test]
    public void TheThreeHeadModelIsClassifiedHeadByHead()
    {
        using var gate = GateModels.AndPairPlusIndependent();
        var all = AsymmetryOf(gate, Ap);
        double pair = GateModels.AndPairGap / gate.Gap, alone = GateModels.IndependentGap / gate.Gap;
        foreach (var input in gate.Inputs.Take(2))
        {
            var a = all.Single(x => x.Target == input);
            Assert.That((a.Noise, a.Denoise), Is.EqualTo((pair, 0.0)).Using<(double, double)>((x, y) => Math.Abs(x.Item1 - y.Item1) <= ExactTolerance && Math.Abs(x.Item2 - y.Item2) <= ExactTolerance), $"{input}: AND-like");
        }
        var independent = all.Single(x => x.Target == gate.Inputs[2]);
        Assert.That(independent.Noise, Is.EqualTo(alone).Within(ExactTolerance));
        Assert.That(independent.Denoise, Is.EqualTo(alone).Within(ExactTolerance));
        Assert.That(Asymmetry.Candidates(all).Select(c => c.Target), Is.EquivalentTo(gate.Inputs.Take(2)), "the AND pair, not the additive head");

        using var context = AttributionContext.Create(gate.Model, gate.Clean, gate.Corrupted, gate.Metric, [TargetSpace.Head]);
        var pairs = Interactions.Of(context, TargetSpace.Head, gate.Inputs, Enumerable.Repeat(gate.Gap, context.Batch).ToArray());
        Assert.That(pairs.Single(p => p.First == gate.Inputs[0] && p.Second == gate.Inputs[1]).Interaction, Is.EqualTo(-pair).Within(ExactTolerance), "the AND pair");
        Assert.That(pairs.Where(p => p.Second == gate.Inputs[2]).Select(p => p.Interaction), Has.All.EqualTo(0.0).Within(ExactTolerance), "the independent head is additive");
    }
}
