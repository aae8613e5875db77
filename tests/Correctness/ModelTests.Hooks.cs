using Concord.Model;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness;

/// <summary>The hook mechanism: caching, replacing, run-from-hook, causality and padding.</summary>
public partial class ModelTests
{
    private static HookedGpt2 TinyModel(ScalarType dtype = ScalarType.Float64, int seed = 5) =>
        RandomGpt2.Create(TestEnvironment.Tiny(layers: 3), seed, std: 0.3, dtype: dtype);

    [Test]
    public void HooksThatReturnTheirInputLeaveLogitsBitIdentical()
    {
        using var model = TinyModel(ScalarType.Float32);
        using var batch = TokenBatch.FromIds(Prompts, padId: 0);
        var hooks = new HookSet();
        int calls = 0;
        foreach (var p in HookPoint.All(model.Config.NLayer)) hooks.Add(p, (v, _) => { calls++; return v; });
        using var plain = model.Run(batch.Tokens);
        using var hooked = model.Run(batch.Tokens, hooks);
        TensorAssert.BitIdentical(hooked, plain, "logits");
        Assert.That(calls, Is.EqualTo(2 + 13 * model.Config.NLayer), "every hook point fired once");
    }

    [Test]
    public void CacheHoldsTheValuesHooksSee()
    {
        using var model = TinyModel(ScalarType.Float32);
        using var batch = TokenBatch.FromIds(Prompts, padId: 0);
        var seen = new Dictionary<HookPoint, Tensor>();
        var hooks = new HookSet();
        foreach (var p in HookPoint.All(model.Config.NLayer))
            hooks.Add(p, (v, point) => { seen[point] = v.clone().DetachFromDisposeScope(); return v; });
        using var cache = new ActivationCache();
        using var _ = model.Run(batch.Tokens, hooks, cache);
        Assert.That(cache.Points, Is.EquivalentTo(seen.Keys));
        foreach (var (p, v) in seen)
        {
            TensorAssert.BitIdentical(cache[p], v, p.Name);
            v.Dispose();
        }
    }

    [Test]
    public void ReplacingTheFirstResidualWithAnotherPromptsGivesThatPromptsLogits()
    {
        using var model = TinyModel();
        using var clean = TokenBatch.FromIds([[1, 2, 3, 4, 5]]);
        using var corrupt = TokenBatch.FromIds([[9, 8, 7, 6, 5]]);
        using var corruptCache = ActivationCache.Of(HookPoint.ResidPre(0));
        using var corruptLogits = model.Run(corrupt.Tokens, cache: corruptCache);
        using var patched = model.Run(clean.Tokens, new HookSet().Replace(HookPoint.ResidPre(0), corruptCache[HookPoint.ResidPre(0)]));
        TensorAssert.AllClose(patched, corruptLogits, 1e-12, 1e-12, "logits");
    }

    private static IEnumerable<string> AllHookNames() => HookPoint.All(3).Select(p => p.Name);

    [TestCaseSource(nameof(AllHookNames))]
    public void RunFromHookEqualsTheFullRun(string name)
    {
        var point = HookPoint.Parse(name);
        using var model = TinyModel();
        using var batch = TokenBatch.FromIds(Prompts, padId: 0);
        using var cache = new ActivationCache();
        using var full = model.Run(batch.Tokens, cache: cache, readPositions: batch.LastPositions);
        // Only what UpstreamNeeds names is offered: the run must not need anything else.
        using var upstream = new ActivationCache();
        foreach (var p in point.UpstreamNeeds) upstream.Store(p, cache[p]);
        using var resumed = model.RunFrom(point, cache[point], upstream, readPositions: batch.LastPositions);
        TensorAssert.AllClose(resumed, full, 1e-12, 1e-12, $"logits from {name}");
    }

    private static IEnumerable<TestCaseData> PrefixStartsAndReads() =>
        from point in HookPoint.All(3)
        where !point.IsGlobal && point.Kind is not (HookKind.Q or HookKind.K or HookKind.V or HookKind.Pattern)
        from reads in new[] { "6,2,4", "2,2,3" }
        select new TestCaseData(point.Name, reads);

    /// <summary>
    /// With a read-position subset and nothing observing the last block, that block computes its
    /// queries and MLP at the read positions alone while attending to the prefix's cached keys and
    /// values: it must equal the full block (every position) read there, with and without a prefix.
    /// </summary>
    [TestCaseSource(nameof(PrefixStartsAndReads))]
    public void RunFromASharedPrefixReadingSomePositionsEqualsTheFullBlockThere(string name, string reads)
    {
        var point = HookPoint.Parse(name);
        const int p = 2;
        using var model = TinyModel();
        using var batch = TokenBatch.FromIds(Prompts, padId: 0);
        using var cache = new ActivationCache();
        using var full = model.Run(batch.Tokens, cache: cache);
        using var readAt = tensor(reads.Split(',').Select(long.Parse).ToArray());
        using var rows = arange(batch.Count, dtype: ScalarType.Int64);
        using var expected = full[rows, readAt];

        using var upstream = new ActivationCache();
        foreach (var need in point.UpstreamNeeds) upstream.Store(need, cache[need][.., p..]);
        var prefix = new SharedPrefix(p, l => (cache[HookPoint.K(l)][.., ..p], cache[HookPoint.V(l)][.., ..p]));
        using var readAfterPrefix = readAt - p;
        using var read = model.RunFrom(point, cache[point][.., p..], upstream, readPositions: readAfterPrefix, prefix: prefix);
        using var everyPosition = model.RunFrom(point, cache[point][.., p..], upstream, prefix: prefix);
        using var fullBlockRead = everyPosition[rows, readAfterPrefix];
        TensorAssert.AllClose(read, fullBlockRead, 1e-12, 1e-12, $"from {name} with a prefix, read at {reads}, against the same run at every position");
        TensorAssert.AllClose(read, expected, 1e-12, 1e-12, $"from {name} with a prefix, read at {reads}, against the full run");
    }

    [Test]
    public void RunFromHookWithAMissingUpstreamValueNamesIt()
    {
        using var model = TinyModel();
        using var batch = TokenBatch.FromIds(Prompts, padId: 0);
        using var cache = ActivationCache.Of(HookPoint.Z(1));
        using var _ = model.Run(batch.Tokens, cache: cache);
        using var empty = new ActivationCache();
        var error = Assert.Throws<KeyNotFoundException>(() => model.RunFrom(HookPoint.Z(1), cache[HookPoint.Z(1)], empty));
        Assert.That(error!.Message, Does.Contain("blocks.1.hook_resid_pre"));
    }

    [Test]
    public void ChangingTokenTChangesNothingBeforeT([Values(1, 3, 5)] int t)
    {
        using var model = TinyModel();
        int[] a = [4, 8, 15, 16, 23, 42, 7];
        int[] b = (int[])a.Clone();
        b[t] = 91;
        using var batch = TokenBatch.FromIds([a, b]);
        using var cache = new ActivationCache();
        using var logits = model.Run(batch.Tokens, cache: cache);
        foreach (var p in HookPoint.All(model.Config.NLayer).Append(default))
        {
            Tensor values = p == default ? logits : cache[p];
            using var before = p.Kind == HookKind.Pattern ? values[.., .., ..t] : values[.., ..t];
            // Exact in real arithmetic; float64 rounding of identical row computations is identical here.
            TensorAssert.AllClose(before[1], before[0], 0, 1e-13, $"{(p == default ? "logits" : p.Name)} before position {t}");
            if (p.Kind == HookKind.ResidPost)
            {
                using var at = values[.., t];
                Assert.That((at[1] - at[0]).abs().max().item<double>(), Is.GreaterThan(1e-6), $"{p.Name} at position {t} must change");
            }
        }
    }

    [Test]
    public void APromptsLogitsDoNotChangeWhenBatchedWithLongerPrompts()
    {
        using var model = TinyModel(ScalarType.Float32);
        int[] shortPrompt = [3, 1, 4];
        using var alone = TokenBatch.FromIds([shortPrompt]);
        using var together = TokenBatch.FromIds([[2, 7, 1, 8, 2, 8, 1, 8], shortPrompt, [1, 6, 1, 8, 0]], padId: 0);
        using var aloneLogits = model.Run(alone.Tokens, readPositions: alone.LastPositions);
        using var batchLogits = model.Run(together.Tokens, readPositions: together.LastPositions);
        // Same arithmetic on different matrix shapes: float32 BLAS may round differently (~1e-7 relative).
        TensorAssert.AllClose(batchLogits[1], aloneLogits[0], 1e-5, 1e-6, "logits of the short prompt");
    }

    [Test]
    public void DisposeScopesKeepMemoryFlatAcrossManyRuns()
    {
        using var model = TinyModel(ScalarType.Float32);
        using var batch = TokenBatch.FromIds(Prompts, padId: 0);
        for (int i = 0; i < 3; i++) model.Run(batch.Tokens).Dispose();
        long before = Tensor.TotalCount;
        for (int i = 0; i < 20; i++) model.Run(batch.Tokens, readPositions: batch.LastPositions).Dispose();
        Assert.That(Tensor.TotalCount - before, Is.LessThanOrEqualTo(0), "live tensor handles after 20 runs");
    }

    [Test]
    public void TokensOutsideTheVocabularyAreRejectedClearly()
    {
        using var model = TinyModel();
        using var batch = TokenBatch.FromIds([[1, 2, 500]]);
        var error = Assert.Throws<ArgumentException>(() => model.Run(batch.Tokens));
        Assert.That(error!.Message, Does.Contain("500").And.Contain("vocabulary"));
    }
}
