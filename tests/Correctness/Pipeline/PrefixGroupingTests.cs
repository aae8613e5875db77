using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Model;
using Concord.Tasks;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Pipeline;

/// <summary>
/// Batching by shared prefix changes which prompts share a batch, never a prompt's numbers: each
/// prompt is scored on its own (attention is per prompt, padding masked), so only round-off may move.
/// </summary>
[TestFixture]
public class PrefixGroupingTests
{
    private static readonly TaskResources Resources = new();

    private static (int Prefix, int Length) Key(TaskExample e)
    {
        var clean = Array.ConvertAll(Resources.Tokenizer.Encode(e.Clean), id => (long)id);
        var corrupted = Array.ConvertAll(Resources.Tokenizer.Encode(e.Corrupted), id => (long)id);
        return (SharedPrefix.LengthOf(clean, corrupted, clean.Length), clean.Length);
    }

    /// <summary>Positions a run from a hook recomputes over all batches: from each batch's smallest prefix to its widest prompt.</summary>
    private static int Recomputed(IEnumerable<TaskExample> order, int batchSize) =>
        order.Select(Key).Chunk(batchSize).Sum(b => (b.Max(k => k.Length) - b.Min(k => k.Prefix)) * b.Length);

    [TestCase(TaskKind.Ioi)]
    [TestCase(TaskKind.CapitalCountry)]
    [TestCase(TaskKind.Sva)]
    [TestCase(TaskKind.GreaterThan)]
    public void GroupingKeepsThePromptsAndNeverRecomputesMore(TaskKind kind)
    {
        var sample = TaskDataset.Load(kind, Resources.DefaultFile(kind), Resources).Sample(64, seed: 0);
        var grouped = PrefixGrouping.Order(sample, Resources.Tokenizer);

        Assert.That(grouped.Select(e => e.Row), Is.EquivalentTo(sample.Select(e => e.Row)));
        Assert.That(grouped.Select(Key), Is.Ordered.Using<(int, int)>(Comparer<(int, int)>.Default));
        Assert.That(Recomputed(grouped, 8), Is.LessThanOrEqualTo(Recomputed(sample, 8)));
    }

    [Test]
    public void OnIoiGroupingRecomputesAtLeastAFifthFewerPositions()
    {
        // IOI templates put the first differing token at different depths; sample order mixes them.
        // Measured on the default sample: 688 positions as sampled, 440 grouped.
        var sample = TaskDataset.Load(TaskKind.Ioi, Resources.DefaultFile(TaskKind.Ioi), Resources).Sample(64, seed: 0);
        Assert.That(Recomputed(PrefixGrouping.Order(sample, Resources.Tokenizer), 8), Is.LessThan(0.8 * Recomputed(sample, 8)));
    }

    [Test]
    public void EveryPromptGetsTheSameNumbersInWhicheverBatchItLands()
    {
        // float64 and a GPT-2-vocabulary tiny model, so the task's token ids are valid.
        using var model = RandomGpt2.Create(new Gpt2Config(2, 4, 16, 64, Gpt2Tokenizer.VocabularySize), seed: 5, std: 0.3, dtype: ScalarType.Float64);
        var dataset = TaskDataset.Load(TaskKind.Ioi, Resources.DefaultFile(TaskKind.Ioi), Resources);
        var examples = dataset.Sample(9, seed: 3);
        var options = new PipelineOptions { BatchSize = 3, NeuronsPerLayer = 4, Ig = IgSettings.FixedNodes(4) };
        Assert.That(PrefixGrouping.Order(examples, Resources.Tokenizer).Select(e => e.Row), Is.Not.EqualTo(examples.Select(e => e.Row)),
            "the sample must be reordered, or the test compares a run with itself");

        Dictionary<(int Row, string What), double> PerPrompt(bool group)
        {
            var pipeline = new AttributionPipeline(model, "tiny", options with { GroupByPrefix = group }, new MemoryUnitStore());
            var values = new Dictionary<(int, string), double>();
            foreach (var batch in pipeline.Run(dataset, "data", examples, Resources.Tokenizer).Batches)
                for (int i = 0; i < batch.Rows.Length; i++)
                {
                    values[(batch.Rows[i], "clean")] = batch.Metrics.Base[i];
                    values[(batch.Rows[i], "corrupted")] = batch.Metrics.Other[i];
                    foreach (var method in options.Methods)
                        foreach (var kind in options.Spaces)
                        {
                            var set = batch.Scores(method, kind)!;
                            for (int j = 0; j < set.Targets.Count; j++)
                                values[(batch.Rows[i], $"{method} {set.Targets[j].Label}")] = set[i, j];
                        }
                }
            return values;
        }

        var grouped = PerPrompt(true);
        var sampleOrder = PerPrompt(false);
        Assert.That(grouped.Keys, Is.EquivalentTo(sampleOrder.Keys));
        double scale = sampleOrder.Values.Max(Math.Abs);
        // float64: the runs differ in batch width and shared prefix, so in matmul shapes only.
        foreach (var (key, value) in sampleOrder)
            Assert.That(grouped[key], Is.EqualTo(value).Within(1e-12 * scale), $"row {key.Row} {key.What}");
    }
}
