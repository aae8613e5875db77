using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Model;
using Concord.Tasks;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Methods;

/// <summary>
/// Prefix reuse: a run from a hook computes only the positions from the batch's first differing
/// token on, attending to the base run's cached keys and values before it. It must equal the full
/// recompute at every scored hook, for AP, IG and the sweep, both directions, with padding.
/// </summary>
public partial class MethodTests
{
    /// <summary>Prompts of 6 to 9 tokens (so the batch is padded) agreeing on their first 4 tokens, then differing.</summary>
    private static (HookedGpt2 Model, TaskBatch Batch) SharedPrefixScenario(int seed, ScalarType dtype)
    {
        var random = new Random(seed);
        var config = new Gpt2Config(NLayer: 3, NHead: 2, NEmbd: 8, NPositions: 16, VocabSize: Scenario.Vocab);
        var model = RandomGpt2.Create(config, seed, std: 0.4, dtype: dtype);
        var clean = new List<int[]>();
        var corrupted = new List<int[]>();
        var examples = new List<TaskExample>();
        for (int i = 0; i < 3; i++)
        {
            var tokens = Enumerable.Range(0, 6 + i + random.Next(2)).Select(_ => random.Next(config.VocabSize)).ToArray();
            var changed = (int[])tokens.Clone();
            changed[4 + random.Next(tokens.Length - 4)] = (tokens[4] + 1 + random.Next(config.VocabSize - 1)) % config.VocabSize;
            changed[4] = (tokens[4] + 1) % config.VocabSize;
            clean.Add(tokens);
            corrupted.Add(changed);
            examples.Add(new TaskExample(i + 1, "", "", [random.Next(config.VocabSize)], [random.Next(config.VocabSize)]));
        }
        return (model, TaskBatch.FromIds(clean, corrupted, examples, MetricReadout.ProbabilityDifference, dtype));
    }

    [TestCase(Direction.Noising, false)]
    [TestCase(Direction.Denoising, false)]
    [TestCase(Direction.Noising, true)]
    public void PrefixReuseEqualsTheFullRecomputeAtEveryScoredHook(Direction direction, bool perPosition)
    {
        var (model, batch) = SharedPrefixScenario(41, ScalarType.Float64);
        using var _ = model;
        using var __ = batch;
        var kinds = TargetSpace.BuiltIn;
        var options = new AttributionOptions { Direction = direction, PerPosition = perPosition };
        using var reuse = AttributionContext.Create(model, batch, kinds, options);
        using var full = AttributionContext.Create(model, batch, kinds, options with { ReusePrefix = false });
        Assert.That(reuse.PrefixLength, Is.EqualTo(4), "the prompts agree on 4 tokens");
        foreach (var kind in kinds)
            for (int l = 0; l < model.Config.NLayer; l++)
            {
                var what = $"{direction} {kind} layer {l}{(perPosition ? " per position" : "")}";
                // float64: the two paths differ only in matmul shapes, so in round-off.
                ScoreAssert.Close(ActivationPatching.Layer(reuse, kind, l).Scores, ActivationPatching.Layer(full, kind, l).Scores, 1e-12, 1e-12, what + " AP");
                var ig = IntegratedGradients.Layer(reuse, kind, l, Nodes(6));
                var igFull = IntegratedGradients.Layer(full, kind, l, Nodes(6));
                ScoreAssert.Close(ig.Scores, igFull.Scores, 1e-12, 1e-12, what + " IG");
                Assert.That(ig.Completeness!.Expected, Is.EqualTo(igFull.Completeness!.Expected).Within(1e-12), what + " F(a') − F(a)");
                ScoreAssert.Close(ActivationPatching.Layer(reuse, kind, l, scale: 0.3).Scores, ActivationPatching.Layer(full, kind, l, scale: 0.3).Scores, 1e-12, 1e-12, what + " sweep AP");
            }
    }

    /// <summary>In float32 the reordered arithmetic differs in round-off only (relative 1e-4 of the scores' scale).</summary>
    [Test]
    public void PrefixReuseEqualsTheFullRecomputeInFloat32()
    {
        var (model, batch) = SharedPrefixScenario(43, ScalarType.Float32);
        using var _ = model;
        using var __ = batch;
        using var reuse = AttributionContext.Create(model, batch, [TargetSpace.Head, TargetSpace.Neuron], new AttributionOptions());
        using var full = AttributionContext.Create(model, batch, [TargetSpace.Head, TargetSpace.Neuron], new AttributionOptions { ReusePrefix = false });
        foreach (var kind in new[] { TargetSpace.Head, TargetSpace.Neuron })
        {
            var ap = new ActivationPatching().Attribute(reuse, kind).Scores;
            var apFull = new ActivationPatching().Attribute(full, kind).Scores;
            double scale = Enumerable.Range(0, apFull.Prompts).SelectMany(apFull.Row).Max(Math.Abs);
            ScoreAssert.Close(ap, apFull, 1e-4, 1e-4 * scale, $"{kind} AP");
            var ig8 = IgSettings.FixedNodes(8);
            ScoreAssert.Close(new IntegratedGradients(ig8).Attribute(reuse, kind).Scores, new IntegratedGradients(ig8).Attribute(full, kind).Scores, 1e-4, 1e-4 * scale, $"{kind} IG");
        }
    }

    /// <summary>The zero baseline's path changes the prefix too, so it is never reused there.</summary>
    [Test]
    public void TheZeroBaselineIsNeverComputedFromTheSharedPrefix()
    {
        var (model, batch) = SharedPrefixScenario(47, ScalarType.Float64);
        using var _ = model;
        using var __ = batch;
        using var reuse = AttributionContext.Create(model, batch, [TargetSpace.Mlp], new AttributionOptions());
        using var full = AttributionContext.Create(model, batch, [TargetSpace.Mlp], new AttributionOptions { ReusePrefix = false });
        for (int l = 0; l < model.Config.NLayer; l++)
            ScoreAssert.Close(IntegratedGradients.Layer(reuse, TargetSpace.Mlp, l, Nodes(6), Baseline.Zero).Scores,
                IntegratedGradients.Layer(full, TargetSpace.Mlp, l, Nodes(6), Baseline.Zero).Scores, 1e-12, 1e-12, $"layer {l}");
    }
}
