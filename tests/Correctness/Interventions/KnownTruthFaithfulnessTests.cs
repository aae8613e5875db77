using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Interventions;
using Concord.Methods.Verification;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Interventions;

/// <summary>
/// Faithfulness and joint interventions on the hand-built gate models (tests/Support/Models/GateModels),
/// whose right answers are analytic: an AND needs both input heads, an OR either, and the six
/// bystander heads do nothing on the metric's path.
/// </summary>
[TestFixture]
public class KnownTruthFaithfulnessTests
{
    /// <summary>
    /// The gate's single-input value is gelu_new at −8 of the gap, below <see cref="GateModels.TailBound"/>;
    /// the rest is float64 round-off of metrics of order 1 through two layers. 1e-9 leaves room for both.
    /// </summary>
    private const double Tolerance = 1e-9;

    private static (KindFaithfulness Result, FaithfulnessPlan Plan) Faithfulness(GateModel gate, Direction direction = Direction.Noising)
    {
        using var context = AttributionContext.Create(gate.Model, gate.Clean, gate.Corrupted, gate.Metric, [TargetSpace.Head], new AttributionOptions { Direction = direction });
        var components = Enumerable.Range(0, GateModels.Layers).SelectMany(l => Enumerable.Range(0, GateModels.Heads).Select(h => new Target(l, TargetSpace.Head, h))).ToList();
        var ap = Enumerable.Range(0, GateModels.Layers).Select(l => ActivationPatching.Layer(context, TargetSpace.Head, l).Scores).ToList();
        var mean = components.Select(c => Enumerable.Range(0, context.Batch).Average(p => ap[c.Layer][p, c.Index])).ToArray();
        // Rank by the analytic truth too, so the test does not hinge on AP's ties: inputs first, then bystanders.
        var truth = components.Select(c => gate.Inputs.Contains(c) ? (direction == Direction.Noising ? -1.0 : 1.0) : 0.0).ToArray();
        var plan = FaithfulnessPlan.Build(components, [("ap", mean), ("truth", truth)], direction, new VerificationOptions { RandomRankings = 4 }, seed: 1);
        var metrics = Intervention.MetricsOnEveryPrompt(context, TargetSpace.Head, plan.Sets, Ablation.Resample);
        return (plan.Evaluate(metrics, bootstrapSamples: 50, seed: 2), plan);
    }

    private static double At(KindFaithfulness f, string method, int size) =>
        f.Curves.Single(c => c.Method == method && c.Ranking == RankingKind.Signed).Points.Single(p => p.Size == size).Faithfulness;

    [Test]
    public void AnAndNeedsBothInputsInTheCircuit()
    {
        using var gate = GateModels.TwoHeads(Gate.And);
        var (f, _) = Faithfulness(gate);
        // One input alone in the circuit: the other is resampled to its corrupted value, the AND is off.
        Assert.That(At(f, "truth", 1), Is.EqualTo(0.0).Within(Tolerance));
        Assert.That(At(f, "truth", 2), Is.EqualTo(1.0).Within(Tolerance));
        Assert.That(At(f, "ap", 2), Is.EqualTo(1.0).Within(Tolerance), "noising AP flags both inputs at −gap, so its top two are the inputs");
        Assert.That(At(f, "ap", 1), Is.EqualTo(0.0).Within(Tolerance), "AP's one-head circuit is an input, and one AND input is not enough");
    }

    /// <summary>
    /// Denoising: the base is the corrupted run and ablating means restoring clean values. AP scores each
    /// OR input +gap, so the signed ranking (+score) puts the inputs first; keeping one input corrupted
    /// while the other is restored turns the OR on (f = 0); keeping both corrupted keeps it off (f = 1).
    /// </summary>
    [Test]
    public void DenoisingRanksByPlusScoreAndAnOrNeedsBothInputsKeptOff()
    {
        using var gate = GateModels.TwoHeads(Gate.Or);
        var (f, plan) = Faithfulness(gate, Direction.Denoising);
        var apSigned = plan.Curves.Single(c => c.Method == "ap" && c.Ranking == RankingKind.Signed);
        Assert.That(apSigned.Order.Take(2).Select(i => plan.Components[i]), Is.EquivalentTo(gate.Inputs));
        Assert.That(At(f, "ap", 1), Is.EqualTo(0.0).Within(Tolerance));
        Assert.That(At(f, "ap", 2), Is.EqualTo(1.0).Within(Tolerance));
    }

    [Test]
    public void AnOrIsFaithfulWithOneInput()
    {
        using var gate = GateModels.TwoHeads(Gate.Or);
        var (f, _) = Faithfulness(gate);
        Assert.That(At(f, "truth", 1), Is.EqualTo(1.0).Within(Tolerance), "either input suffices");
        // Noising AP scores both OR inputs 0, as the bystanders: its ranking of them is a tie (MethodTests.Gates pins the scores).
    }

    [Test]
    public void AdditiveInputsEachCarryHalf()
    {
        using var gate = GateModels.TwoHeads(Gate.Additive);
        var (f, _) = Faithfulness(gate);
        Assert.That(At(f, "truth", 1), Is.EqualTo(0.5).Within(Tolerance));
        Assert.That(At(f, "truth", 2), Is.EqualTo(1.0).Within(Tolerance));
    }

    /// <summary>Joint interventions against the construction's analytic m(S): every member is replaced (ablating both OR inputs closes it; ablating one does not).</summary>
    [TestCase(Gate.And)]
    [TestCase(Gate.Or)]
    [TestCase(Gate.Additive)]
    public void JointResamplingMatchesTheAnalyticMetric(Gate kind)
    {
        using var gate = GateModels.TwoHeads(kind);
        using var context = AttributionContext.Create(gate.Model, gate.Clean, gate.Corrupted, gate.Metric, [TargetSpace.Head]);
        IReadOnlyCollection<Target>[] sets = [[gate.Inputs[0]], [gate.Inputs[1]], [.. gate.Inputs], [.. gate.Inputs, .. gate.Bystanders], [.. gate.Bystanders]];
        var metrics = Intervention.MetricsOnEveryPrompt(context, TargetSpace.Head, sets, Ablation.Resample);
        for (int s = 0; s < sets.Length; s++)
            for (int p = 0; p < context.Batch; p++)
                Assert.That(metrics[s, p], Is.EqualTo(gate.PatchedMetric(Direction.Noising, sets[s])).Within(Tolerance * gate.Gap),
                    $"{gate}: {{{string.Join(", ", sets[s])}}} on prompt {p}");
        Assert.That(metrics[2, 0], Is.EqualTo(gate.CorruptedMetric).Within(Tolerance), "both inputs resampled: the corrupted run's metric");
    }

    /// <summary>Mean ablation puts each input at its mean over the clean positions (23/36 here): m = the gate at that value.</summary>
    [TestCase(Gate.And)]
    [TestCase(Gate.Or)]
    public void MeanAblationPutsTheInputsAtTheirMean(Gate kind)
    {
        using var gate = GateModels.TwoHeads(kind);
        using var context = AttributionContext.Create(gate.Model, gate.Clean, gate.Corrupted, gate.Metric, [TargetSpace.Head]);
        using var means = ComponentMeans.Of(gate.Model, TargetSpace.Head, [gate.Clean]);
        var m = Intervention.Metrics(context, TargetSpace.Head, [new InterventionRow(0, [gate.Inputs[0]]), new InterventionRow(0, [.. gate.Inputs])], Ablation.Mean, means);
        Assert.That(m[0], Is.EqualTo(gate.MetricAt(gate.MeanAblatedInput, 1)).Within(Tolerance));
        Assert.That(m[1], Is.EqualTo(gate.MetricAt(gate.MeanAblatedInput, gate.MeanAblatedInput)).Within(Tolerance));
    }
}
