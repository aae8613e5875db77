using Concord.Model;
using Concord.Model.Training;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Training;

/// <summary>
/// Training over a compact vocabulary is exact for the saved model: the full model, whose unused
/// rows all repeat the shared row, gives every corpus token the probability the compact model with
/// the ln(unused) offset gave it, and the unused tokens together the shared row's probability.
/// </summary>
[TestFixture]
public class CompactVocabularyTests
{
    private const int FullVocabulary = 300;
    // float64: both sides are one softmax of the same numbers, up to the order of summation.
    private const double Exact = 1e-12;

    [Test]
    public void TheExpandedModelHasTheCompactModelsProbabilities()
    {
        var vocabulary = new CompactVocabulary([3, 17, 42, 99, 100, 250], FullVocabulary);
        var compactConfig = new Gpt2Config(2, 2, 16, 16, vocabulary.Size);
        using var compact = RandomGpt2.CreateWeights(compactConfig, seed: 5, std: 0.3, dtype: ScalarType.Float64);
        var compactModel = new HookedGpt2(compact);
        using var full = new Gpt2Weights
        {
            Config = compactConfig with { VocabSize = FullVocabulary },
            TokenEmbedding = vocabulary.Expand(compact.TokenEmbedding),
            PositionEmbedding = compact.PositionEmbedding.alias(),
            Blocks = compact.Blocks,
            LnFinalWeight = compact.LnFinalWeight.alias(),
            LnFinalBias = compact.LnFinalBias.alias(),
        };
        var fullModel = new HookedGpt2(full);

        int[] prompt = [3, 42, 99, 17, 250];
        using var scope = NewDisposeScope();
        using var offsets = vocabulary.LogitOffsets(ScalarType.Float64, CPU);
        var compactLogProbs = (compactModel.Run(tensor(vocabulary.ToCompact(prompt).Select(i => (long)i).ToArray()).unsqueeze(0)) + offsets).log_softmax(-1)[0];
        var fullLogProbs = fullModel.Run(tensor(prompt.Select(i => (long)i).ToArray()).unsqueeze(0)).log_softmax(-1)[0];

        var used = tensor(vocabulary.FullIds.Select(i => (long)i).ToArray());
        var compactUsed = tensor(vocabulary.FullIds.Select(i => (long)vocabulary.ToCompact(i)).ToArray());
        TensorAssert.AllClose(fullLogProbs.index_select(1, used), compactLogProbs.index_select(1, compactUsed), 0, Exact, "log p of corpus tokens");

        var unused = tensor(Enumerable.Range(0, FullVocabulary).Where(i => !vocabulary.Contains(i)).Select(i => (long)i).ToArray());
        TensorAssert.AllClose(fullLogProbs.index_select(1, unused).logsumexp(1), compactLogProbs[.., vocabulary.Other], 0, Exact,
            "log p of all unused tokens together");
    }

    [Test]
    public void IdsMapBothWaysAndForeignIdsAreRefused()
    {
        var vocabulary = new CompactVocabulary([9, 2, 9, 5], 10);
        Assert.That(vocabulary.FullIds, Is.EqualTo(new[] { 2, 5, 9 }));
        Assert.That(vocabulary.ToCompact([9, 2]), Is.EqualTo(new[] { 2, 0 }));
        Assert.That(vocabulary.Other, Is.EqualTo(3));
        Assert.That(vocabulary.OtherLogitOffset, Is.EqualTo(Math.Log(7)).Within(1e-15));
        Assert.That(() => vocabulary.ToCompact(4), Throws.ArgumentException.With.Message.Contains("token 4"));
        Assert.That(() => new CompactVocabulary([10], 10), Throws.ArgumentException);
    }
}
