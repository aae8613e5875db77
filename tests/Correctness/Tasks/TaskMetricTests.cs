using Concord.Model;
using Concord.Tasks;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Tasks;

/// <summary>Each metric on hand-built last-token logits with a known answer.</summary>
[TestFixture]
public class TaskMetricTests
{
    private const int Vocab = Gpt2Tokenizer.VocabularySize;
    // float64 throughout: the expected values are exact up to one rounding of softmax/log.
    private const double Exact = 1e-12;
    private static readonly TaskResources Resources = new();

    /// <summary>Logits whose softmax is exactly <paramref name="probabilities"/> (log p; absent tokens get p = 0).</summary>
    private static Tensor LogitsFor(params (int Id, double P)[] probabilities)
    {
        var logits = new double[Vocab];
        Array.Fill(logits, double.NegativeInfinity);
        foreach (var (id, p) in probabilities) logits[id] = Math.Log(p);
        return tensor(logits, [1, Vocab]);
    }

    private static double Evaluate(TaskExample example, MetricReadout readout, Tensor logits)
    {
        using var metric = TaskMetric.Create([example], readout, ScalarType.Float64);
        using var value = metric.Evaluate(logits);
        return value[0].item<double>();
    }

    [Test]
    public void LogitDifferenceIsCorrectMinusIncorrect()
    {
        var logits = zeros(2, Vocab, dtype: ScalarType.Float64);
        logits[0, 5335] = tensor(3.25); logits[0, 1757] = tensor(-1.5);
        logits[1, 5335] = tensor(0.5); logits[1, 1757] = tensor(2.0);
        using var metric = TaskMetric.Create(
            [new TaskExample(1, "a", "b", [5335], [1757]), new TaskExample(2, "a", "b", [1757], [5335])],
            MetricReadout.LogitDifference, ScalarType.Float64);
        var values = TensorAssert.ToDoubles(metric.Evaluate(logits));
        Assert.That(values, Is.EqualTo(new[] { 4.75, 1.5 }).Within(Exact));
    }

    private static TaskExample GreaterThan(int yy)
    {
        var years = Resources.YearTokens;
        return new TaskExample(1, "c", "x", Enumerable.Range(yy + 1, 99 - yy).Select(y => years[y]).ToArray(),
            Enumerable.Range(0, yy + 1).Select(y => years[y]).ToArray());
    }

    [Test]
    public void GreaterThanUniformOverYearsCountsTheYearsAbove()
    {
        var years = Resources.YearTokens;
        var uniform = Enumerable.Range(0, 100).Select(y => (years[y], 0.01)).ToArray();
        // YY = 41: 58 endings above (42..99), 42 at or below (00..41) → 0.58 − 0.42.
        Assert.That(Evaluate(GreaterThan(41), MetricReadout.ProbabilityDifference, LogitsFor(uniform)), Is.EqualTo(0.16).Within(Exact));
    }

    [Test]
    public void GreaterThanCountsTheYearItselfAsNotGreater()
    {
        var years = Resources.YearTokens;
        Assert.That(Evaluate(GreaterThan(41), MetricReadout.ProbabilityDifference, LogitsFor((years[41], 1.0))), Is.EqualTo(-1.0).Within(Exact));
        Assert.That(Evaluate(GreaterThan(41), MetricReadout.ProbabilityDifference, LogitsFor((years[42], 1.0))), Is.EqualTo(1.0).Within(Exact));
    }

    [Test]
    public void ProbabilityOutsideTheAnswerSetsCountsForNothing()
    {
        var years = Resources.YearTokens;
        // 0.3 on " the" (262), 0.7 split over a year above and one below.
        var logits = LogitsFor((262, 0.3), (years[50], 0.5), (years[10], 0.2));
        Assert.That(Evaluate(GreaterThan(41), MetricReadout.ProbabilityDifference, logits), Is.EqualTo(0.3).Within(Exact));
    }

    [Test]
    public void HypernymySumsEveryAnswerOfEachSet()
    {
        // clean answers " gem" 16840 and " gems" 23685; corrupted " vehicles" 5672 and " cars" 5006.
        var example = new TaskExample(1, "c", "x", [16840, 23685], [5672, 5006]);
        var logits = LogitsFor((16840, 0.2), (23685, 0.3), (5672, 0.1), (5006, 0.05), (262, 0.35));
        Assert.That(Evaluate(example, MetricReadout.ProbabilityDifference, logits), Is.EqualTo(0.2 + 0.3 - 0.1 - 0.05).Within(Exact));
    }

    [Test]
    public void SvaRewardsVerbsAgreeingWithTheCleanSubject()
    {
        var verbs = Resources.Verbs;
        int are = Resources.Tokenizer.SingleToken(" are"), isId = Resources.Tokenizer.SingleToken(" is");
        Assert.That(verbs.PluralIds, Does.Contain(are));
        Assert.That(verbs.SingularIds, Does.Contain(isId));
        var plural = new TaskExample(1, "The keys on the cabinet", "The key on the cabinet", verbs.PluralIds, verbs.SingularIds);
        var logits = LogitsFor((are, 0.6), (isId, 0.15), (262, 0.25));
        Assert.That(Evaluate(plural, MetricReadout.ProbabilityDifference, logits), Is.EqualTo(0.45).Within(Exact));
    }

    [Test]
    public void LogitVariantOfAProbabilityTaskIsTheMeanLogitDifference()
    {
        var example = new TaskExample(1, "c", "x", [10, 11], [12]);
        var logits = zeros(1, Vocab, dtype: ScalarType.Float64);
        logits[0, 10] = tensor(1.0); logits[0, 11] = tensor(3.0); logits[0, 12] = tensor(-0.5);
        Assert.That(Evaluate(example, MetricReadout.LogitDifference, logits), Is.EqualTo(2.0 + 0.5).Within(Exact));
    }

    [Test]
    public void EveryTwoDigitEndingIsOneToken()
    {
        var years = Resources.YearTokens;
        Assert.That(years.Ids.Distinct().Count(), Is.EqualTo(100));
        for (int y = 0; y < 100; y++) Assert.That(Resources.Tokenizer.Decode(years[y]), Is.EqualTo(y.ToString("00")));
    }
}
