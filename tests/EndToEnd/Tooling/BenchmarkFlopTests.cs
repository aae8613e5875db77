using Concord.Benchmarks;
using Concord.Benchmarks.Throughput;
using Concord.Model;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.EndToEnd.Tooling;

/// <summary>
/// The FLOP counts the benchmarks report their share of the machine's peak with, against closed
/// forms written out here independently of how the counting code walks the model.
/// </summary>
[TestFixture]
public class BenchmarkFlopTests
{
    private static readonly Gpt2Config Small = Gpt2Config.Gpt2Small;
    private static double Sum(IEnumerable<MatrixProduct> products) => products.Sum(p => p.Flops);

    [Test]
    public void AFullForwardIsTwoFlopsPerWeightAndTokenPlusAttentionAndTheUnembedding()
    {
        // The standard estimate: 2·N per token for N non-embedding weights, 4·d·P per token per layer for
        // q·kᵀ and pattern·v over P keys (the causal mask zeroes half, the product is whole), 2·d·V per logit row.
        long b = 8, p = 20, d = Small.NEmbd, m = Small.DMlp, layers = Small.NLayer, vocab = Small.VocabSize;
        double weights = layers * (4.0 * d * d + 2.0 * d * m);
        double expected = 2 * weights * b * p + layers * 4.0 * d * p * p * b + 2.0 * d * vocab * b * p;
        Assert.That(Sum(Gpt2Products.FullRun(Small, b, p, lastTokenOnly: false)), Is.EqualTo(expected).Within(1e-9).Percent);
    }

    [Test]
    public void ApOverHeadsCountsOnlyThePositionsAfterTheSharedPrefixAndTheLastBlockAtItsReadPosition()
    {
        // Per layer l: H patches × b prompts, each run from hook_z at P − p computed positions with p cached:
        //   layer l from z: (2d² + 4dm)·P'           (z·W_O, the MLP)
        //   l < j < L−1:    (8d² + 4dm)·P' + 4d·P'·W  (q, k, v, o; MLP; attention over W = p + P' keys)
        //   j = L−1 > l:    4d²·P' + (4d² + 4dm) + 4d·W (k, v at P'; q, o, MLP and attention at the read position)
        //   unembedding:    2dV at the read position.
        int b = 8, width = 20, prefix = 7;
        long d = Small.NEmbd, m = Small.DMlp, layers = Small.NLayer, heads = Small.NHead, vocab = Small.VocabSize;
        double Row(int l, long computed, long cached)
        {
            long keys = cached + computed;
            double flops = (2.0 * d * d + 4.0 * d * m) * computed + 2.0 * d * vocab;
            for (long j = l + 1; j < layers - 1; j++) flops += (8.0 * d * d + 4.0 * d * m) * computed + 4.0 * d * computed * keys;
            if (l < layers - 1) flops += 4.0 * d * d * computed + 4.0 * d * d + 4.0 * d * m + 4.0 * d * keys;
            return flops;
        }
        var work = new AlgorithmWork(Small, b, width, prefix, ScalarType.Float32);
        double reuse = Enumerable.Range(0, (int)layers).Sum(l => heads * b * Row(l, width - prefix, prefix));
        double full = Enumerable.Range(0, (int)layers).Sum(l => heads * b * Row(l, width, 0));
        Assert.That(Sum(work.ActivationPatchingHeads()), Is.EqualTo(reuse).Within(1e-9).Percent);
        Assert.That(Sum(work.ActivationPatchingHeads(reusePrefix: false)), Is.EqualTo(full).Within(1e-9).Percent);
        // The notebook's: L·(1 + H) full runs with logits everywhere, a multiple of the stacked work.
        Assert.That(Sum(work.NaiveActivationPatching(Enumerable.Range(0, (int)layers), (int)heads)),
            Is.EqualTo(layers * (1 + heads) * Sum(Gpt2Products.FullRun(Small, b, width, lastTokenOnly: false))).Within(1e-9).Percent);
    }

    [Test]
    public void IgCountsItsBackwardPassAsTheForwardProductsAgainWithAttentionTwice()
    {
        // Backward to the input only (weights need no gradient): dx = dy·Wᵀ, as many FLOPs as y = x·W;
        // attention's two varying factors each get a gradient product.
        var projection = new MatrixProduct("p", 96, 768, 3072);
        var attention = new MatrixProduct("a", 13, 64, 20, 96 * 12, BothOperandsVary: true);
        Assert.That(Sum(projection.Backward()), Is.EqualTo(projection.Flops));
        Assert.That(Sum(attention.Backward()), Is.EqualTo(2 * attention.Flops));
        Assert.That(projection.Backward().Single().Shape, Is.EqualTo("96×3072·3072×768"));

        // IG with n nodes per layer: n·b rows forward and backward, plus F at both ends (2b rows forward).
        int b = 8, width = 20, prefix = 7, nodes = 5;
        var work = new AlgorithmWork(Small, b, width, prefix, ScalarType.Float32);
        double expected = 0;
        for (int l = 0; l < Small.NLayer; l++)
        {
            var forward = Gpt2Products.RunFromHook(Small, HookKind.Z, l, (long)nodes * b, width - prefix, prefix);
            double attentionFlops = forward.Where(p => p.BothOperandsVary).Sum(p => p.Flops);
            expected += 2 * Sum(forward) + attentionFlops + Sum(Gpt2Products.RunFromHook(Small, HookKind.Z, l, 2L * b, width - prefix, prefix));
        }
        Assert.That(Sum(work.IntegratedGradientsHeads(Enumerable.Range(0, Small.NLayer), nodes)), Is.EqualTo(expected).Within(1e-9).Percent);
    }

    [Test]
    public void TheCountsUseTheSharedPrefixTheContextComputes()
    {
        using var work = new Workload("tiny", 8, 20);
        using var context = work.Context();
        Assert.That(Workload.PrefixLength(8, 20), Is.EqualTo(context.PrefixLength));
        Assert.That(context.PrefixLength, Is.InRange(1, 19), "IOI's prompts share a prefix: the counts must see it");
    }

    [Test]
    public void EveryFixedWorkBenchmarkIsCountedAndAdaptiveIgIsNot()
    {
        foreach (var (type, method) in new[]
        {
            (nameof(ActivationPatchingBenchmarks), nameof(ActivationPatchingBenchmarks.Heads)),
            (nameof(ActivationPatchingBenchmarks), nameof(ActivationPatchingBenchmarks.HeadsNaive)),
            (nameof(IntegratedGradientsBenchmarks), nameof(IntegratedGradientsBenchmarks.HeadsAllLayers)),
            (nameof(NeuronPatchingBenchmarks), nameof(NeuronPatchingBenchmarks.NeuronSlice)),
            (nameof(ForwardBenchmarks), nameof(ForwardBenchmarks.LastTokenLogits)),
        })
            Assert.That(BenchmarkWork.For(type, method, "tiny", 8, 20, 10), Is.Not.Null.And.Not.Empty, $"{type}.{method}");
        Assert.That(BenchmarkWork.For(nameof(IntegratedGradientsBenchmarks), nameof(IntegratedGradientsBenchmarks.HeadsAllLayersAuto), "tiny", 8, 20, 10), Is.Null,
            "adaptive IG chooses its node count as it runs");
    }
}
