using Concord.Methods.Agreement;
using NUnit.Framework;

namespace Concord.Tests.Agreement.Fixtures;

/// <summary>What must hold on any model: the corruption moves the metric, IG is complete, statistics are in range.</summary>
public abstract partial class TaskAgreementFixture
{
    /// <summary>
    /// On a random model the metric has no reason to prefer the clean answer, so the behavioural
    /// check (clean above corrupted) is asserted on real GPT-2 only; here the corruption must move
    /// the metric of every prompt, by far more than IG's quadrature error, or agreement would be
    /// measured on noise.
    /// </summary>
    [Test]
    public void TheCorruptionMovesTheMetricOfEveryPrompt()
    {
        double worstCompleteness = Analysis.Convergence.Max(c => c.MaxAbsDelta);
        foreach (var batch in Analysis.Result.Batches)
            for (int i = 0; i < batch.Rows.Length; i++)
            {
                double gap = Math.Abs(batch.BaseMetric[i] - batch.OtherMetric[i]);
                Assert.That(gap, Is.GreaterThan(1e3 * worstCompleteness), $"row {batch.Rows[i]}: clean {batch.BaseMetric[i]}, corrupted {batch.OtherMetric[i]}");
            }
    }

    /// <summary>
    /// 32 Gauss–Legendre nodes in float64 on this model: errors measured at ≤ 1e-9 of the layer's
    /// F(a') − F(a); the bound leaves two orders of margin and a float64 rounding floor.
    /// </summary>
    [Test]
    public void IgIsCompleteAtEveryLayer()
    {
        foreach (var c in Analysis.Convergence)
            Assert.That(c.MaxAbsDelta, Is.LessThanOrEqualTo(1e-7 * c.MaxAbsExpected + 1e-12), $"{c.Kind} layer {c.Layer}");
    }

    [Test]
    public void AgreementStatisticsAreInRangeOrUndefinedWithAReason()
    {
        Assert.That(Analysis.Agreements, Has.Count.EqualTo(3 * 3), "three pairs for each of three component kinds");
        foreach (var pair in Analysis.Agreements)
            foreach (var stats in pair.PerPrompt.Append(pair.Pooled))
            {
                foreach (var s in new[] { stats.Pearson, stats.Spearman, stats.Kendall })
                    Assert.That(s.IsDefined ? s.Value : 0, Is.InRange(-1.0, 1.0), $"{pair.Label} {pair.Kind}");
                foreach (var s in new[] { stats.Jaccard, stats.SignAgreement })
                    Assert.That(s.IsDefined ? s.Value : 0, Is.InRange(0.0, 1.0), $"{pair.Label} {pair.Kind}");
                foreach (var s in new[] { stats.Pearson, stats.Spearman, stats.Kendall, stats.Jaccard, stats.SignAgreement })
                    Assert.That(s.IsDefined ? double.IsFinite(s.Value) : !string.IsNullOrEmpty(s.Undefined), Is.True);
            }
    }

    /// <summary>The normalised view divides both methods by one per-prompt number: per-prompt correlations cannot change.</summary>
    [Test]
    public void NormalisingLeavesPerPromptStatisticsUnchanged()
    {
        foreach (var (raw, normalised) in Analysis.Agreements.Zip(Analysis.NormalisedAgreements))
            for (int p = 0; p < raw.PerPrompt.Count; p++)
                foreach (var (a, b) in new[] { (raw.PerPrompt[p].Pearson, normalised.PerPrompt[p].Pearson), (raw.PerPrompt[p].Spearman, normalised.PerPrompt[p].Spearman) })
                    Assert.That(b.IsDefined ? b.Value : double.NaN, Is.EqualTo(a.IsDefined ? a.Value : double.NaN).Within(1e-12), $"{raw.Label} {raw.Kind} prompt {p}");
    }

    /// <summary>A layer's whole MLP is one component, and IG's completeness makes its score F(a') − F(a) = AP.</summary>
    [Test]
    public void WholeMlpScoresOfIgAndApCoincide()
    {
        var pair = Analysis.Agreements.Single(p => p.Kind == Methods.Components.ComponentKind.Mlp && p.Label == "IG↔AP");
        foreach (var d in pair.LargestDisagreements)
            Assert.That(d.First, Is.EqualTo(d.Second).Within(1e-7 * Math.Abs(d.Second) + 1e-12), d.Component.Label);
    }
}
