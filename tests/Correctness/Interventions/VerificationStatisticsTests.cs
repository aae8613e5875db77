using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Results;
using Concord.Methods.Verification;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Interventions;

/// <summary>The verification's statistics on numbers worked out by hand: areas, curves, the bootstrap, the categories and the verdict.</summary>
[TestFixture]
public class VerificationStatisticsTests
{
    private static Target Head(int i) => new(0, TargetSpace.Head, i);

    /// <summary>f = 0, 0.5, 1, 1 at k = 0, 1/4, 1/2, 1: CPR = 1/4·1/4 + 1/4·3/4 + 1/2·1 = 3/4; CMD = 1/4·3/4 + 1/4·1/4 = 1/4.</summary>
    [Test]
    public void TheTrapezoidAreasOfAHandDrawnCurve()
    {
        CurvePoint[] points = [new(0, 0, 0), new(0.25, 1, 0.5), new(0.5, 2, 1), new(1, 4, 1)];
        Assert.That(FaithfulnessCurve.Area(points, f => f), Is.EqualTo(0.75).Within(1e-15));
        Assert.That(FaithfulnessCurve.Area(points, f => Math.Abs(1 - f)), Is.EqualTo(0.25).Within(1e-15));
    }

    /// <summary>
    /// Four components whose removal costs 4, 2, 1, 0 (additive, on every prompt equally, m(full) = 10):
    /// a ranking in that order keeps 4 of 7 with one component (f = 4/7), 6/7 with two, 1 with all.
    /// </summary>
    [Test]
    public void AnAdditiveKindGivesTheCurveComputedByHand()
    {
        var components = Enumerable.Range(0, 4).Select(Head).ToList();
        double[] cost = [4, 2, 1, 0];
        // Noising: importance is −score, so the most important component has the most negative score.
        var scores = cost.Select(c => -c).ToArray();
        var plan = FaithfulnessPlan.Build(components, [("ap", scores)], Direction.Noising,
            new VerificationOptions { CircuitFractions = [0.25, 0.5, 1.0], RandomRankings = 3 }, seed: 5);
        const int prompts = 5;
        var metrics = new double[plan.Sets.Count, prompts];
        for (int s = 0; s < plan.Sets.Count; s++)
            for (int p = 0; p < prompts; p++)
                metrics[s, p] = 10 - plan.Sets[s].Sum(c => cost[c.Index]) + 0.01 * p;   // a prompt offset cancels in f
        var result = plan.Evaluate(metrics, bootstrapSamples: 200, seed: 9);
        var signed = result.Curves.Single(c => c.Method == "ap" && c.Ranking == RankingKind.Signed);
        Assert.That(signed.Points.Select(p => p.Size), Is.EqualTo(new[] { 0, 1, 2, 4 }));
        Assert.That(signed.Points.Select(p => p.Faithfulness), Is.EqualTo(new[] { 0, 4 / 7.0, 6 / 7.0, 1 }).Within(1e-12));
        double cpr = 0.25 * (0 + 4 / 7.0) / 2 + 0.25 * (4 / 7.0 + 6 / 7.0) / 2 + 0.5 * (6 / 7.0 + 1) / 2;
        Assert.That(signed.Cpr, Is.EqualTo(cpr).Within(1e-12));
        // Additive and equal on every prompt: every bootstrap resample gives the same curve.
        Assert.That(signed.CprInterval!.Value.Low, Is.EqualTo(cpr).Within(1e-12));
        Assert.That(signed.CprInterval.Value.High, Is.EqualTo(cpr).Within(1e-12));
        Assert.That(result.Random!.Rankings, Is.EqualTo(3));
        Assert.That(result.Random.MinCpr, Is.LessThanOrEqualTo(result.Random.MeanCpr).And.LessThanOrEqualTo(result.Random.MaxCpr));
        Assert.That(result.Random.MaxCpr, Is.LessThanOrEqualTo(cpr + 1e-12), "no ordering beats the true one on an additive kind");
    }

    [Test]
    public void TheBootstrapIsSeeded()
    {
        var components = Enumerable.Range(0, 3).Select(Head).ToList();
        var plan = FaithfulnessPlan.Build(components, [("ig", [-3.0, -1, 0])], Direction.Noising, new VerificationOptions { RandomRankings = 0 }, seed: 1);
        var random = new Random(4);
        var metrics = new double[plan.Sets.Count, 20];
        for (int s = 0; s < plan.Sets.Count; s++)
            for (int p = 0; p < 20; p++) metrics[s, p] = (s == FaithfulnessPlan.FullCircuit ? 5 : 0) + random.NextDouble();
        Interval Of(int seed) => plan.Evaluate(metrics, 300, seed).Curves[0].CprInterval!.Value;
        var first = Of(7);
        Assert.That(Of(7), Is.EqualTo(first));
        Assert.That(Of(8), Is.Not.EqualTo(first));
    }

    /// <summary>Prompt 1's scores are 100× prompt 0's: one threshold over both prompts would call none of prompt 0's components high.</summary>
    [Test]
    public void HighIsAThresholdPerPrompt()
    {
        var components = Enumerable.Range(0, 10).Select(Head).ToList();
        var ig = new double[2, 10];
        var ap = new double[2, 10];
        for (int c = 0; c < 10; c++)
        {
            ig[0, c] = c == 3 ? 1 : 0.01 * c;
            ap[0, c] = c == 7 ? 1 : 0.01 * c;
            ig[1, c] = 100 * ig[0, c];
            ap[1, c] = 100 * (c == 3 ? 1 : 0.01 * c);
        }
        var rows = DisagreementCategories.Rows(new ScoreSet(Method.Ig.Id(), components, ig), new ScoreSet(Method.Ap.Id(), components, ap), 0.1);
        Assert.That(rows, Has.Count.EqualTo(8), "four categories per prompt");
        IEnumerable<string> Set(int prompt, DisagreementCategory c) => rows[prompt * 4 + (int)c].Set.Select(x => x.Label);
        Assert.That(Set(0, DisagreementCategory.IgOnly), Is.EqualTo(new[] { "L0H3" }));
        Assert.That(Set(0, DisagreementCategory.ApOnly), Is.EqualTo(new[] { "L0H7" }));
        Assert.That(Set(1, DisagreementCategory.Both), Is.EqualTo(new[] { "L0H3" }));
        Assert.That(Set(1, DisagreementCategory.Neither).Count(), Is.EqualTo(9));
    }

    private static CategoryEffect Effect(DisagreementCategory c, double resample, double mean, int prompts = 4) =>
        new(c, prompts, 1, resample, mean, null) { MeanAbsResample = Math.Abs(resample), MeanAbsMean = Math.Abs(mean) };

    [TestCase(0.5, 2.0, 0.5, 2.0, "AP")]
    [TestCase(2.0, 0.5, 2.0, 0.5, "IG")]
    [TestCase(1.0, 1.2, 1.0, 1.2, "both")]
    [TestCase(0.01, 0.02, 0.01, 0.02, "neither")]
    [TestCase(0.5, 2.0, 2.0, 0.5, "undecided")]
    public void TheVerdictNamesAMethodOnlyWhenBothAblationsAgree(double igResample, double apResample, double igMean, double apMean, string expected)
    {
        var verdict = KindDisagreements.VerdictOf(Effect(DisagreementCategory.IgOnly, igResample, igMean), Effect(DisagreementCategory.ApOnly, apResample, apMean), meanGap: 10, fraction: 0.1);
        Assert.That(verdict.Split(':')[0], Is.EqualTo(expected), verdict);
    }

    [Test]
    public void NoExclusiveComponentsLeaveNothingToSettle() =>
        Assert.That(KindDisagreements.VerdictOf(Effect(DisagreementCategory.IgOnly, 0, 0, prompts: 0), Effect(DisagreementCategory.ApOnly, 0, 0, prompts: 0), 10, 0.1),
            Does.StartWith("IG and AP pick the same top 10 % on every prompt"));
}
