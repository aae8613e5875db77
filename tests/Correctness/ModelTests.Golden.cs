using System.Text.Json;
using Concord.Model;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness;

/// <summary>
/// The golden activations of ../shared/golden, computed by a separate float64 implementation of
/// GPT-2 (not Concord's code): tokenizer ids, every hook of a padded batch, and last-token logits.
/// </summary>
public partial class ModelTests
{
    // The golden README: "Expect agreement to ~1e-5 relative in float32 and ~1e-12 in float64."
    [TestCase(ScalarType.Float64, 1e-10, 1e-12)]
    [TestCase(ScalarType.Float32, 1e-4, 1e-5)]
    public void GoldenActivationsMatch(ScalarType dtype, double rtol, double atol)
    {
        var modelFolder = SharedFiles.Require("golden/tiny-gpt2");
        var golden = SafetensorsFile.Open(SharedFiles.Require("golden/tiny-gpt2-activations.safetensors"));
        using var model = HookedGpt2.Load(modelFolder, dtype);

        var tokenEntry = golden.Entry("tokens");
        using var tokens = tensor(golden.ReadInt64s("tokens"), tokenEntry.Shape);
        var lengths = golden.ReadInt64s("lengths");
        using var last = tensor(lengths.Select(n => n - 1).ToArray());
        using var cache = new ActivationCache();
        using var logits = model.Run(tokens, cache: cache, readPositions: last);

        int compared = 0;
        foreach (var point in HookPoint.All(model.Config.NLayer))
        {
            if (!golden.Entries.ContainsKey(point.Name)) continue;
            TensorAssert.AllClose(TensorAssert.ToDoubles(cache[point]), golden.ReadDoubles(point.Name), rtol, atol, point.Name);
            compared++;
        }
        Assert.That(compared, Is.EqualTo(2 + 13 * model.Config.NLayer), "every hook point has a golden value");
        TensorAssert.AllClose(TensorAssert.ToDoubles(logits), golden.ReadDoubles("last_logits"), rtol, atol, "last_logits");
    }

    [Test]
    public void GoldenPromptsTokeniseToTheGoldenIds()
    {
        var path = SharedFiles.Require("golden/tiny-gpt2-prompts.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var prompts = doc.RootElement.GetProperty("prompts").EnumerateArray().Select(p => p.GetString()!).ToArray();
        var ids = doc.RootElement.GetProperty("tokens").EnumerateArray()
            .Select(a => a.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray();
        for (int i = 0; i < prompts.Length; i++)
            Assert.That(Gpt2Tokenizer.Instance.Encode(prompts[i]), Is.EqualTo(ids[i]), prompts[i]);
    }
}
