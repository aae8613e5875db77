using Concord.Model;
using Concord.Tasks;
using Concord.Tasks.Evaluation;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Training;

/// <summary>`model eval`'s table from hand-built logits with known metrics.</summary>
[TestFixture]
public class TaskEvaluationTests
{
    private const int Vocab = Gpt2Tokenizer.VocabularySize;

    [Test]
    public void HandBuiltLogitsGiveTheExpectedTable()
    {
        // Three IOI-like prompts, answer 10 against 20. Clean logit differences 2, -1, 0.5; corrupted
        // -1, -3, 1.5: clean > 0 for 2 of 3, the corruption lowers 2 of 3 (the third rises).
        var examples = new[] { new TaskExample(1, "a", "b", [10], [20]), new TaskExample(2, "a", "b", [10], [20]), new TaskExample(3, "a", "b", [10], [20]) };
        using var metric = TaskMetric.Create(examples, MetricReadout.LogitDifference, ScalarType.Float64);
        using var clean = zeros(3, Vocab, dtype: ScalarType.Float64);
        using var corrupted = zeros(3, Vocab, dtype: ScalarType.Float64);
        double[] cleanDiff = [2, -1, 0.5], corruptedDiff = [-1, -3, 1.5];
        for (int i = 0; i < 3; i++)
        {
            clean[i, 10] = tensor(cleanDiff[i]);
            corrupted[i, 10] = tensor(corruptedDiff[i]);
        }
        var (c, k) = TaskEvaluation.Metrics(metric, clean, corrupted);
        var score = TaskScore.Of(TaskKind.Ioi, "hand-built", c, k);
        Assert.That(score.Prompts, Is.EqualTo(3));
        Assert.That(score.CleanPositive, Is.EqualTo(2.0 / 3).Within(1e-15));
        Assert.That(score.CorruptionLowers, Is.EqualTo(2.0 / 3).Within(1e-15));
        Assert.That(score.MeanClean, Is.EqualTo(0.5).Within(1e-15));
        Assert.That(score.MeanCorrupted, Is.EqualTo(-2.5 / 3).Within(1e-15));
    }

    [Test]
    public void AMetricOfZeroIsNotASolvedPromptAndEqualMetricsAreNotLowered()
    {
        var score = TaskScore.Of(TaskKind.Sva, "edge", [0.0, 0.2], [0.0, 0.2]);
        Assert.That(score.CleanPositive, Is.EqualTo(0.5));
        Assert.That(score.CorruptionLowers, Is.EqualTo(0.0));
    }

    [Test]
    public void NonFiniteMetricsAndEmptySetsAreErrors()
    {
        Assert.That(() => TaskScore.Of(TaskKind.Ioi, "x", [double.NaN], [0.0]), Throws.InvalidOperationException.With.Message.Contains("non-finite"));
        Assert.That(() => TaskScore.Of(TaskKind.Ioi, "x", [], []), Throws.ArgumentException);
    }

    [Test]
    public void TheTableRoundTripsThroughEvalJson()
    {
        var folder = TempFolder.New();
        var scores = new[] { new TaskScore(TaskKind.GreaterThan, "held-out start years", 500, 0.962, 0.99, 0.81, 0.12) };
        EvaluationFile.Write(Path.Combine(folder, EvaluationFile.FileName), scores);
        Assert.That(EvaluationFile.TryRead(folder), Is.EqualTo(scores));
    }
}
