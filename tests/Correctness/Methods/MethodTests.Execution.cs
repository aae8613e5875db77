using Concord.Methods.Attribution;
using Concord.Methods.Attribution.Naive;
using Concord.Methods.Targets;
using Concord.Methods.Quadrature;
using Concord.Methods.Results;
using Concord.Model;
using Concord.Tasks;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Methods;

/// <summary>The fast paths compute the same numbers as the slow ones.</summary>
public partial class MethodTests
{
    // Same float64 arithmetic in another order (stacked vs single runs, run-from-hook vs full run).
    private const double ReorderTol = 1e-10;

    /// <summary>Run-from-hook with stacked patches and steps = one full-model forward per patch and per step (the notebook's algorithm).</summary>
    [FsCheck.NUnit.Property(MaxTest = 6)]
    public Property OptimisedEqualsNaiveForEveryMethodAndKind() => Prop.ForAll(Seeds, seed =>
    {
        using var scenario = Scenario.Create(seed, readout: MetricReadout.ProbabilityDifference);
        var options = new AttributionOptions { PerPosition = seed % 2 == 0 };
        var nodes = Nodes(5);
        using var context = scenario.Context(options);
        foreach (var kind in Kinds)
            for (int l = 0; l < scenario.Config.NLayer; l++)
            {
                var what = $"{scenario} {kind} layer {l} per-position {options.PerPosition}";
                ScoreAssert.Close(ActivationPatching.Layer(context, kind, l).Scores, NaiveActivationPatching.Layer(context, kind, l).Scores, ReorderTol, ReorderTol, what + " AP");
                var fast = IntegratedGradients.Layer(context, kind, l, nodes);
                var naive = NaiveIntegratedGradients.Layer(context, kind, l, nodes);
                ScoreAssert.Close(fast.Scores, naive.Scores, ReorderTol, ReorderTol, what + " IG");
                Assert.That(fast.Completeness!.Expected, Is.EqualTo(naive.Completeness!.Expected).Within(ReorderTol), what + " F(a') − F(a)");
            }
    });

    [Test]
    public void NaiveModeRunsOneFullForwardPerPatchAndStep()
    {
        using var scenario = Scenario.Create(8, config: new Gpt2Config(2, 3, 6, 16, Scenario.Vocab));
        using var context = scenario.Context();
        int before = context.RunsCounted;
        NaiveActivationPatching.Layer(context, TargetSpace.Head, 1);
        Assert.That(context.RunsCounted - before, Is.EqualTo(1 + 3), "baseline + one per head");
        before = context.RunsCounted;
        NaiveIntegratedGradients.Layer(context, TargetSpace.Head, 1, Nodes(7));
        Assert.That(context.RunsCounted - before, Is.EqualTo(7 + 2), "one per step + the two ends");
        before = context.RunsCounted;
        ActivationPatching.Layer(context, TargetSpace.Head, 1);
        IntegratedGradients.Layer(context, TargetSpace.Head, 1, Nodes(7));
        Assert.That(context.RunsCounted - before, Is.EqualTo(1 + 2), "stacked: one run for all patches; one for all steps and one for both ends");
    }

    [Test]
    public void AttributionPatchingFromTheRecordedBaseGraphNeedsNoForwardAndAgrees()
    {
        using var scenario = Scenario.Create(31, prompts: 2, readout: MetricReadout.ProbabilityDifference);
        using var plain = scenario.Context();
        using var recorded = AttributionContext.Create(scenario.Model, scenario.Batch, Kinds, gradientAtBase: true);
        var expected = new AttributionPatching().AttributeAll(plain, Kinds);
        int before = recorded.RunsCounted;
        var actual = new AttributionPatching().AttributeAll(recorded, Kinds);
        Assert.That(recorded.RunsCounted, Is.EqualTo(before), "no forward pass: the base run's graph is reused");
        foreach (var kind in Kinds) ScoreAssert.Close(actual[kind].Scores, expected[kind].Scores, 1e-12, 1e-12, $"AtP {kind}");
        // The graph is used once; a second call runs its own forward pass and still agrees.
        var again = new AttributionPatching().AttributeAll(recorded, Kinds);
        foreach (var kind in Kinds) ScoreAssert.Close(again[kind].Scores, expected[kind].Scores, 1e-12, 1e-12, $"AtP again {kind}");
        Assert.That(recorded.RunsCounted, Is.EqualTo(before + 1));
    }

    /// <summary>Prompts never interact: scores of a batch = scores of each prompt run alone.</summary>
    [Test]
    public void BatchedScoresEqualOnePromptAtATime()
    {
        using var scenario = Scenario.Create(21, prompts: 3, readout: MetricReadout.ProbabilityDifference);
        using var context = scenario.Context();
        var batched = Compute(context);
        for (int i = 0; i < scenario.Batch.Count; i++)
        {
            var example = scenario.Batch.Examples[i];
            int[] Tokens(TokenBatch t) => t.Tokens[i, ..t.Lengths[i]].ToDoubles().Select(v => (int)v).ToArray();
            using var single = TaskBatch.FromIds([Tokens(scenario.Batch.Clean)], [Tokens(scenario.Batch.Corrupted)], [example], MetricReadout.ProbabilityDifference, ScalarType.Float64);
            using var singleContext = scenario.Context(null, single);
            var alone = Compute(singleContext);
            foreach (var (all, one) in batched.Zip(alone))
                for (int j = 0; j < all.Targets.Count; j++)
                    Assert.That(all[i, j], Is.EqualTo(one[0, j]).Within(ReorderTol + ReorderTol * Math.Abs(one[0, j])), $"prompt {i} {all.MethodId} {all.Targets[j]}");
        }
    }

    /// <summary>A memory budget small enough for one row per chunk gives the same scores as one big chunk.</summary>
    [Test]
    public void ChunkingToTheMemoryBudgetDoesNotChangeResults()
    {
        using var scenario = Scenario.Create(5, prompts: 2, readout: MetricReadout.ProbabilityDifference);
        using var roomy = scenario.Context();
        using var tight = scenario.Context(new AttributionOptions { MemoryBudgetBytes = 1 });
        Assert.That(tight.RowsPerChunk(0, withGradients: true), Is.EqualTo(1));
        foreach (var (a, b) in Compute(roomy).Zip(Compute(tight)))
            ScoreAssert.Close(b, a, ReorderTol, ReorderTol, $"{a.MethodId}");
    }

    /// <summary>n Gauss–Legendre nodes (or another rule's n integrand evaluations).</summary>
    private static QuadraturePoints Nodes(int n, QuadratureRule rule = QuadratureRule.GaussLegendre) => QuadraturePoints.For(rule, n);

    private static List<ScoreSet> Compute(AttributionContext context)
    {
        var sets = new List<ScoreSet>();
        foreach (var kind in new[] { TargetSpace.Head, TargetSpace.Neuron, TargetSpace.Mlp })
        {
            sets.Add(new ActivationPatching().Attribute(context, kind).Scores);
            sets.Add(new IntegratedGradients(IgSettings.FixedNodes(6)).Attribute(context, kind).Scores);
        }
        sets.AddRange(new AttributionPatching().AttributeAll(context, [TargetSpace.Head, TargetSpace.Neuron, TargetSpace.Mlp]).Values.Select(r => r.Scores));
        return sets;
    }

    /// <summary>As s → 0, AP(s)/s and IG(s)/s tend to AtP, with an error of order s (the next Taylor term).</summary>
    [Test]
    public void SweepConvergesToAttributionPatchingAsTheCorruptionShrinks()
    {
        using var scenario = Scenario.Create(13, prompts: 2, readout: MetricReadout.ProbabilityDifference);
        using var context = scenario.Context();
        var kinds = new[] { TargetSpace.Head, TargetSpace.Mlp };
        var points = SimilaritySweep.Run(context, kinds, [1e-1, 1e-2, 1e-3], MethodSettings.Default with { Ig = IgSettings.FixedNodes(16) });
        foreach (var kind in kinds)
        {
            double Error(double s, Func<SweepPoint, ScoreSet> method)
            {
                var p = points.Single(x => x.Scale == s && x.Space == kind);
                double worst = 0, scale = 0;
                var ap = p[Method.Ap];
                var atpScaled = p[Method.Atp];
                for (int b = 0; b < ap.Prompts; b++)
                    for (int j = 0; j < ap.Targets.Count; j++)
                    {
                        worst = Math.Max(worst, Math.Abs(method(p)[b, j] - atpScaled[b, j]) / s);
                        scale = Math.Max(scale, Math.Abs(atpScaled[b, j]) / s);
                    }
                return worst / scale;
            }
            foreach (var (name, method) in new (string, Func<SweepPoint, ScoreSet>)[] { ("AP", p => p[Method.Ap]), ("IG", p => p[Method.Ig]) })
            {
                var errors = new[] { 1e-1, 1e-2, 1e-3 }.Select(s => Error(s, method)).ToArray();
                TestContext.Out.WriteLine($"{kind} {name}: relative |score/s − AtP| = {string.Join(", ", errors.Select(e => e.ToString("E2")))}");
                // First-order convergence: each tenfold shrink of s cuts the error about tenfold.
                Assert.That(errors[1], Is.LessThan(errors[0] / 5), $"{kind} {name}");
                Assert.That(errors[2], Is.LessThan(errors[1] / 5), $"{kind} {name}");
                Assert.That(errors[2], Is.LessThan(1e-2), $"{kind} {name}");
            }
        }
    }
}
