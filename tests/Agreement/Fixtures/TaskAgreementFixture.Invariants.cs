using Concord.Methods.Agreement;
using NUnit.Framework;

namespace Concord.Tests.Agreement.Fixtures;

/// <summary>What must hold on any model: the corruption moves the metric, IG is complete, statistics are in range.</summary>
public abstract partial class TaskAgreementFixture
{
    /// <summary>
    /// The fixture's model performs the task: on every prompt it prefers the clean answer (metric
    /// &gt; 0) and the corruption lowers the metric. Otherwise agreement would be measured on a
    /// behaviour that is not there.
    /// </summary>
    [Test]
    public void TheModelSolvesTheTaskOnEveryPrompt()
    {
        foreach (var batch in Analysis.Result.Batches)
            for (int i = 0; i < batch.Rows.Length; i++)
            {
                Assert.That(batch.Metrics.Base[i], Is.GreaterThan(0), $"row {batch.Rows[i]}: clean metric");
                Assert.That(batch.Metrics.Other[i], Is.LessThan(batch.Metrics.Base[i]), $"row {batch.Rows[i]}: the corruption must lower the metric");
            }
    }

    /// <summary>
    /// The corruption moves the metric by far more than IG's quadrature error (at least 1000×: the
    /// error is below 0.1 % of the effect it decomposes), or agreement would be measured on noise.
    /// </summary>
    [Test]
    public void TheCorruptionMovesTheMetricFarBeyondTheQuadratureError()
    {
        double worstCompleteness = Analysis.Convergence.Max(c => c.MaxAbsDelta);
        foreach (var batch in Analysis.Result.Batches)
            for (int i = 0; i < batch.Rows.Length; i++)
            {
                double gap = Math.Abs(batch.Metrics.Base[i] - batch.Metrics.Other[i]);
                Assert.That(gap, Is.GreaterThan(1e3 * worstCompleteness), $"row {batch.Rows[i]}: clean {batch.Metrics.Base[i]}, corrupted {batch.Metrics.Other[i]}");
            }
    }

    /// <summary>
    /// IG's completeness error relative to the layer's largest |F(a') − F(a)|, at the fixture's
    /// <see cref="QuadratureSteps"/> (chosen per task so that the measured error is at most 8e-5; see
    /// there). The bound leaves a factor of ten over the worst measurement.
    /// </summary>
    private const double QuadratureTolerance = 1e-3;

    [Test]
    public void IgIsCompleteAtEveryLayer()
    {
        TestContext.Out.WriteLine($"largest relative completeness error: {Analysis.Convergence.Max(c => c.MaxAbsDelta / Math.Max(c.MaxAbsExpected, 1e-300)):E2}");
        foreach (var c in Analysis.Convergence)
            Assert.That(c.MaxAbsDelta, Is.LessThanOrEqualTo(QuadratureTolerance * c.MaxAbsExpected + 1e-12), $"{c.Kind} layer {c.Layer}");
    }

    [Test]
    public void AgreementStatisticsAreInRangeOrUndefinedWithAReason()
    {
        Assert.That(Analysis.Agreements, Has.Count.EqualTo(3 * 3), "three pairs for each of three component kinds");
        foreach (var pair in Analysis.Agreements)
            foreach (var stats in pair.PerPrompt.Append(pair.Pooled))
            {
                foreach (var s in new[] { stats.Pearson, stats.Spearman, stats.Kendall })
                    Assert.That(s.IsDefined ? s.Value : 0, Is.InRange(-1.0, 1.0), $"{pair.Label} {pair.Space}");
                foreach (var s in new[] { stats.Jaccard, stats.SignAgreement })
                    Assert.That(s.IsDefined ? s.Value : 0, Is.InRange(0.0, 1.0), $"{pair.Label} {pair.Space}");
                foreach (var s in new[] { stats.Pearson, stats.Spearman, stats.Kendall, stats.Jaccard, stats.SignAgreement })
                    Assert.That(s.IsDefined ? double.IsFinite(s.Value) : !string.IsNullOrEmpty(s.Undefined), Is.True);
            }
    }

    /// <summary>The normalised view divides both methods by one per-prompt number: per-prompt correlations cannot change.</summary>
    [Test]
    public void NormalisingLeavesPerPromptStatisticsUnchanged()
    {
        foreach (var raw in Analysis.Agreements)
        {
            var normalised = raw.Normalised ?? throw new AssertionException($"{raw.Label} {raw.Space} has no normalised view");
            for (int p = 0; p < raw.PerPrompt.Count; p++)
                foreach (var (a, b) in new[] { (raw.PerPrompt[p].Pearson, normalised.PerPrompt[p].Pearson), (raw.PerPrompt[p].Spearman, normalised.PerPrompt[p].Spearman) })
                    Assert.That(b.IsDefined ? b.Value : double.NaN, Is.EqualTo(a.IsDefined ? a.Value : double.NaN).Within(1e-12), $"{raw.Label} {raw.Space} prompt {p}");
        }
    }

    /// <summary>
    /// A layer's whole MLP is one component, so completeness makes its IG score F(a') − F(a) = AP
    /// up to exactly the quadrature error of that layer: the difference may not exceed it.
    /// </summary>
    [Test]
    public void WholeMlpScoresOfIgAndApCoincide()
    {
        var pair = Analysis.Agreements.Single(p => p.Space == Methods.Targets.TargetSpace.Mlp && p.Label == "IG↔AP");
        Assert.That(pair.LargestDisagreements, Is.Not.Empty);
        foreach (var d in pair.LargestDisagreements)
        {
            double quadratureError = Analysis.Convergence.Single(c => c.Kind == Methods.Targets.TargetSpace.Mlp && c.Layer == d.Target.Layer).MaxAbsDelta;
            Assert.That(d.First, Is.EqualTo(d.Second).Within(quadratureError + 1e-12), $"{d.Target.Label} of prompt {d.Prompt}");
        }
    }
}
