using System.Globalization;
using Concord.Methods.Targets;
using Concord.Methods.Verification;
using NUnit.Framework;

namespace Concord.Tests.Agreement.Fixtures;

/// <summary>
/// The verification by intervention of the fixture's study (resample faithfulness, disagreements):
/// its exact identities, and a pinned table of CPR/CMD per method and kind and of the category effects.
/// </summary>
public abstract partial class TaskAgreementFixture
{
    protected TaskVerification Verification { get; private set; } = null!;

    [Test]
    public void EveryCurveRunsFromZeroAtTheEmptyCircuitToOneAtTheFullCircuitExactly()
    {
        foreach (var kind in Verification.Kinds)
        {
            var f = kind.Faithfulness!;
            Assert.That(f.Undefined, Is.Null, $"{kind.Kind}");
            foreach (var curve in f.Curves)
            {
                Assert.That(curve.Points[0].Faithfulness, Is.EqualTo(0.0), $"{kind.Kind} {curve.Method} {curve.Ranking}: f(0)");
                Assert.That(curve.Points[^1].Faithfulness, Is.EqualTo(1.0), $"{kind.Kind} {curve.Method} {curve.Ranking}: f(100 %)");
                Assert.That(curve.Points[^1].Size, Is.EqualTo(f.Components));
            }
            Assert.That(f.Random!.MeanCpr, Is.InRange(0.0, 1.0), $"{kind.Kind}: the random control's mean CPR");
            // The curve's ends are read from runs, not set: m̄(full) is the unablated run, the attribution's F(a).
            Assert.That(f.MetricFull, Is.EqualTo(Analysis.Result.Batches.SelectMany(b => b.Metrics.Base).Average()).Within(1e-12), $"{kind.Kind}: m̄(full) = mean F(a)");
            Assert.That(f.Random.Mean[0].Faithfulness, Is.EqualTo(0.0));
            Assert.That(f.Random.Mean[^1].Faithfulness, Is.EqualTo(1.0));
            foreach (var curve in f.Curves)
                Assert.That(curve.CprInterval, Is.Not.Null, $"{kind.Kind} {curve.Method}: a bootstrap interval");
        }
    }

    [Test]
    public void EveryPromptFallsIntoTheFourCategoriesOnce()
    {
        foreach (var kind in Verification.Kinds)
        {
            var d = kind.Disagreements!;
            var counts = d.Categories.ToDictionary(c => c.Category);
            // Sizes add up to the kind's components on every prompt, so their means do too.
            Assert.That(d.Categories.Sum(c => c.MeanSize), Is.EqualTo(kind.Faithfulness!.Components).Within(1e-9), $"{kind.Kind}");
            Assert.That(counts[DisagreementCategory.Neither].Prompts, Is.EqualTo(Prompts), $"{kind.Kind}: more than 10 % of the components are never high");
        }
    }

    [Test]
    public void VerificationTableMatchesSnapshot()
    {
        var lines = new List<string>();
        string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        foreach (var kind in Verification.Kinds)
        {
            var f = kind.Faithfulness!;
            foreach (var c in f.Curves)
                lines.Add($"{kind.Kind.Id(),-7} {c.Method,-4} {c.Ranking.Id(),-8} CPR {F(c.Cpr)} [{F(c.CprInterval!.Value.Low)}, {F(c.CprInterval.Value.High)}] CMD {F(c.Cmd)} f " +
                          string.Join(" ", c.Points.Select(p => F(p.Faithfulness))));
            lines.Add($"{kind.Kind.Id(),-7} m(full) {F(f.MetricFull)} m(empty) {F(f.MetricEmpty)}");
            lines.Add($"{kind.Kind.Id(),-7} random CPR {F(f.Random!.MeanCpr)} ± {F(f.Random.SdCpr)} CMD {F(f.Random.MeanCmd)}");
            var d = kind.Disagreements!;
            foreach (var c in d.Categories)
                lines.Add($"{kind.Kind.Id(),-7} {c.Category.Id(),-16} prompts {c.Prompts} size {F(c.MeanSize)} E resample {F(c.JointResample)} mean {F(c.JointMean)}");
            lines.Add($"{kind.Kind.Id(),-7} verdict {d.Verdict.Split(':')[0]}");
        }
        PinnedTable.Match(lines, Name("verification"), absolute: FourDecimals, relative: 0);
    }
}
