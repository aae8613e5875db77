using Concord.Model;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness;

/// <summary>
/// The per-head hook points (TransformerLens's hook_q_input, hook_k_input, hook_v_input and
/// attn.hook_result): computed only when asked for, equal to the plain run when not changed, and a
/// change to one head's copy reaches that head alone.
/// </summary>
public partial class ModelTests
{
    /// <summary>float64 through 3 layers of a d_model-16 model: per-head einsums and the fused matmul differ by round-off ~1e-15.</summary>
    private const double PerHeadRoundOff = 1e-11;

    private static HookPoint[] PerHeadPoints(int layer) =>
        [HookPoint.QInput(layer), HookPoint.KInput(layer), HookPoint.VInput(layer), HookPoint.Result(layer)];

    [Test]
    public void PerHeadPointsAreNamedAsInTransformerLensAndOnlyListedWhenAsked()
    {
        Assert.That(PerHeadPoints(2).Select(p => p.Name),
            Is.EqualTo(new[] { "blocks.2.hook_q_input", "blocks.2.hook_k_input", "blocks.2.hook_v_input", "blocks.2.attn.hook_result" }));
        foreach (var p in PerHeadPoints(2)) Assert.That(HookPoint.Parse(p.Name), Is.EqualTo(p));
        Assert.That(HookPoint.All(3).Any(p => p.IsPerHead), Is.False, "the default list is the standard points");
        Assert.That(HookPoint.All(3, perHead: true).Count(p => p.IsPerHead), Is.EqualTo(12));
        Assert.That(HookPoint.All(3, perHead: true).ToList(), Is.Ordered, "forward order: q/k/v inputs after resid_pre, result after z");
    }

    [Test]
    public void ACacheOfEverythingLeavesThePerHeadCopiesUncomputedAndACacheThatNamesThemHasThem()
    {
        using var model = TinyModel();
        using var batch = TokenBatch.FromIds(Prompts, padId: 0);
        using var everything = new ActivationCache();
        model.Run(batch.Tokens, cache: everything).Dispose();
        Assert.That(everything.Points.Any(p => p.IsPerHead), Is.False);

        var c = model.Config;
        using var named = new ActivationCache(p => true);
        using var logits = model.Run(batch.Tokens, cache: named);
        using var plain = model.Run(batch.Tokens);
        TensorAssert.AllClose(logits, plain, PerHeadRoundOff, PerHeadRoundOff, "logits with every per-head copy computed");
        for (int l = 0; l < c.NLayer; l++)
        {
            foreach (var input in new[] { HookPoint.QInput(l), HookPoint.KInput(l), HookPoint.VInput(l) })
            {
                Assert.That(named[input].shape, Is.EqualTo(new long[] { batch.Count, batch.Width, c.NHead, c.NEmbd }), input.Name);
                for (int h = 0; h < c.NHead; h++)
                    Assert.That((named[input][.., .., h] - named[HookPoint.ResidPre(l)]).abs().max().item<double>(), Is.Zero, $"{input.Name} head {h} is resid_pre exactly");
            }
            // attn_out = Σ_h result_h + b_O.
            var summed = named[HookPoint.Result(l)].sum(2) + model.Weights.Blocks[l].BO;
            TensorAssert.AllClose(summed, named[HookPoint.AttnOut(l)], PerHeadRoundOff, PerHeadRoundOff, $"layer {l}: Σ_h result + b_O");
            TensorAssert.AllClose(named[HookPoint.Q(l)], everything[HookPoint.Q(l)], PerHeadRoundOff, PerHeadRoundOff, $"layer {l}: q from split inputs");
        }
    }

    /// <summary>
    /// Adding δ to head h's query input changes q of head h alone, by exactly ln_1 of the changed stream
    /// through h's columns of W_Q — what an edge into a{l}.h{h}&lt;q&gt; means; the other heads' q, and k and v, are untouched.
    /// </summary>
    [TestCase(0, 1)]
    [TestCase(2, 0)]
    public void ChangingOneHeadsQueryInputChangesThatHeadsQueryAlone(int layer, int head)
    {
        using var model = TinyModel();
        using var batch = TokenBatch.FromIds(Prompts, padId: 0);
        var c = model.Config;
        var delta = randn([batch.Count, batch.Width, c.NEmbd], dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(7));
        var hooks = new HookSet().Add(HookPoint.QInput(layer), (value, _) =>
        {
            var changed = value.clone();
            changed[.., .., head] += delta;
            return changed;
        });
        using var plainCache = ActivationCache.Of(HookPoint.ResidPre(layer), HookPoint.Q(layer), HookPoint.K(layer), HookPoint.V(layer));
        model.Run(batch.Tokens, cache: plainCache).Dispose();
        using var cache = ActivationCache.Of(HookPoint.Q(layer), HookPoint.K(layer), HookPoint.V(layer));
        model.Run(batch.Tokens, hooks, cache).Dispose();

        var w = model.Weights.Blocks[layer];
        var expected = (model.LayerNorm(plainCache[HookPoint.ResidPre(layer)] + delta, w.Ln1Weight, w.Ln1Bias).matmul(w.WQ) + w.BQ)
            .view(batch.Count, batch.Width, c.NHead, c.DHead)[.., .., head];
        TensorAssert.AllClose(cache[HookPoint.Q(layer)][.., .., head], expected, PerHeadRoundOff, PerHeadRoundOff, "the changed head's q");
        for (int h = 0; h < c.NHead; h++)
            if (h != head) TensorAssert.AllClose(cache[HookPoint.Q(layer)][.., .., h], plainCache[HookPoint.Q(layer)][.., .., h], PerHeadRoundOff, PerHeadRoundOff, $"head {h}'s q");
        TensorAssert.AllClose(cache[HookPoint.K(layer)], plainCache[HookPoint.K(layer)], PerHeadRoundOff, PerHeadRoundOff, "k");
        TensorAssert.AllClose(cache[HookPoint.V(layer)], plainCache[HookPoint.V(layer)], PerHeadRoundOff, PerHeadRoundOff, "v");
        Assert.That((cache[HookPoint.Q(layer)][.., .., head] - plainCache[HookPoint.Q(layer)][.., .., head]).abs().max().item<double>(), Is.GreaterThan(1e-3),
            "δ visibly changes the head's q (the test can fail)");
    }

    [Test]
    public void ARunCannotStartAtAPerHeadCopy()
    {
        using var model = TinyModel();
        using var batch = TokenBatch.FromIds(Prompts, padId: 0);
        using var cache = new ActivationCache();
        model.Run(batch.Tokens, cache: cache).Dispose();
        var e = Assert.Throws<ArgumentException>(() => model.RunFrom(HookPoint.QInput(1), cache[HookPoint.ResidPre(1)], cache));
        Assert.That(e!.Message, Does.Contain("blocks.1.hook_q_input"));
    }
}
