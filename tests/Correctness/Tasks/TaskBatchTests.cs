using Concord.Model;
using Concord.Tasks;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Tasks;

/// <summary>Batching reads every prompt at its own last real token.</summary>
[TestFixture]
public class TaskBatchTests
{
    private static readonly TaskResources Resources = new();

    [TestCase(TaskKind.Ioi)]
    [TestCase(TaskKind.Sva)]
    [TestCase(TaskKind.CapitalCountry)]
    [TestCase(TaskKind.Hypernymy)]
    public void APromptsMetricIsTheSameAloneAndBatchedWithLongerPrompts(TaskKind kind)
    {
        // A GPT-2-vocabulary tiny model, so task token ids are valid.
        using var model = RandomGpt2.Create(new Gpt2Config(2, 4, 16, 64, Gpt2Tokenizer.VocabularySize), seed: 9, std: 0.3);
        var dataset = TaskDataset.Load(kind, Resources.DefaultFile(kind), Resources);
        var byLength = dataset.Examples.OrderBy(e => Resources.Tokenizer.Count(e.Clean)).ToList();
        var shortest = byLength[0];
        var mixed = new[] { byLength[^1], shortest, byLength[^2] };

        using var alone = TaskBatch.Create([shortest], dataset.Readout, Resources.Tokenizer);
        using var batch = TaskBatch.Create(mixed, dataset.Readout, Resources.Tokenizer);
        Assert.That(batch.Clean.Lengths[1], Is.LessThan(batch.Clean.Width), "the short prompt is padded");

        double Metric(TaskBatch b, int i)
        {
            using var logits = model.Run(b.Clean.Tokens, readPositions: b.Clean.LastPositions);
            using var values = b.Metric.Evaluate(logits);
            return values[i].item<float>();
        }
        // float32 with different matrix shapes: rounding may differ by a few ulps of the logits.
        Assert.That(Metric(batch, 1), Is.EqualTo(Metric(alone, 0)).Within(1e-5));
    }

    [Test]
    public void CleanAndCorruptedShareOneWidthSoPositionsAlign()
    {
        var dataset = TaskDataset.Load(TaskKind.Sva, Resources.DefaultFile(TaskKind.Sva), Resources).Take(16);
        using var batch = TaskBatch.Create(dataset, dataset.Examples, Resources.Tokenizer);
        Assert.That(batch.Clean.Tokens.shape, Is.EqualTo(batch.Corrupted.Tokens.shape));
        Assert.That(batch.Clean.Lengths, Is.EqualTo(batch.Corrupted.Lengths));
    }
}
