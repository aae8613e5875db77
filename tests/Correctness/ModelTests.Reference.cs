using Concord.Model;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness;

/// <summary>HookedGpt2 against the independent double-precision reference, at every hook.</summary>
[TestFixture]
public partial class ModelTests
{
    // float64 against float64: only summation order differs, so agreement is near machine precision.
    private const double Float64RelTol = 1e-9, Float64AbsTol = 1e-11;
    // float32 against float64: ~6e-8 per operation, growing with depth and width of these tiny models.
    private const double Float32RelTol = 1e-4, Float32AbsTol = 2e-5;

    private static readonly int[][] Prompts = [[5, 17, 3, 88, 42, 9, 1], [60, 2, 33], [11, 96, 0, 54, 7]];

    private static string SaveTiny(Gpt2Config config, int seed, double std = 0.3)
    {
        var folder = TempFolder.New();
        RandomGpt2.Save(folder, config, seed, std);
        return folder;
    }

    [TestCase(ScalarType.Float64, Float64RelTol, Float64AbsTol)]
    [TestCase(ScalarType.Float32, Float32RelTol, Float32AbsTol)]
    public void EveryHookMatchesTheReferenceForward(ScalarType dtype, double rtol, double atol)
    {
        var config = TestEnvironment.Tiny(layers: 2, heads: 4, dModel: 16);
        var folder = SaveTiny(config, seed: 11);
        var reference = new ReferenceGpt2(config, Path.Combine(folder, "model.safetensors"));
        using var model = HookedGpt2.Load(folder, dtype);
        using var batch = TokenBatch.FromIds(Prompts, padId: 0);
        using var cache = new ActivationCache();
        using var logits = model.Run(batch.Tokens, cache: cache);

        for (int b = 0; b < Prompts.Length; b++)
        {
            var (hooks, refLogits) = reference.Run(Prompts[b]);
            int n = Prompts[b].Length;
            foreach (var point in HookPoint.All(config.NLayer))
            {
                using var mine = point.Kind == HookKind.Pattern
                    ? cache[point][b, .., ..n, ..n]
                    : cache[point][b, ..n];
                TensorAssert.AllClose(TensorAssert.ToDoubles(mine), hooks[point], rtol, atol, $"prompt {b} {point.Name}");
            }
            using var mineLogits = logits[b, ..n];
            TensorAssert.AllClose(TensorAssert.ToDoubles(mineLogits), refLogits, rtol, atol, $"prompt {b} logits");
        }
    }

    [Test]
    public void ReadingAtLastPositionsEqualsFullLogitsThere()
    {
        using var model = RandomGpt2.Create(TestEnvironment.Tiny(), seed: 3, std: 0.3, dtype: ScalarType.Float64);
        using var batch = TokenBatch.FromIds(Prompts, padId: 0);
        using var full = model.Run(batch.Tokens);
        using var last = model.Run(batch.Tokens, readPositions: batch.LastPositions);
        for (int b = 0; b < Prompts.Length; b++)
        {
            using var expected = full[b, Prompts[b].Length - 1];
            using var actual = last[b];
            TensorAssert.AllClose(actual, expected, 1e-12, 1e-12, $"prompt {b}");
        }
    }
}
