using Concord.Methods.Agreement;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Methods;

/// <summary>Agreement statistics against hand-computed values.</summary>
[TestFixture]
public class AgreementTests
{
    private const double Exact = 1e-12;

    [Test]
    public void PearsonOfHandExamples()
    {
        Assert.That(Correlation.Pearson([1, 2, 3, 4], [2, 4, 6, 8]).Value, Is.EqualTo(1).Within(Exact));
        Assert.That(Correlation.Pearson([1, 2, 3, 4], [4, 3, 2, 1]).Value, Is.EqualTo(-1).Within(Exact));
        // dx = (−1, 0, 1), dy = (−1, 1, 0): Σdxdy = 1, Σdx² = Σdy² = 2 → r = 1/2.
        Assert.That(Correlation.Pearson([1, 2, 3], [1, 3, 2]).Value, Is.EqualTo(0.5).Within(Exact));
    }

    [Test]
    public void SpearmanUsesAverageRanksForTies()
    {
        Assert.That(Correlation.Ranks([10, 20, 20, 30]), Is.EqualTo(new[] { 1, 2.5, 2.5, 4 }));
        // Ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4): Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5 → 3/√10.
        Assert.That(Correlation.Spearman([10, 20, 20, 30], [1, 2, 3, 4]).Value, Is.EqualTo(3 / Math.Sqrt(10)).Within(Exact));
    }

    [Test]
    public void KendallTauBOfHandExamples()
    {
        // Pairs of (1,3,2,5,4) against 1..5: 7 concordant, 3 discordant, no ties → 4/10.
        Assert.That(Correlation.KendallTauB([1, 2, 3, 4, 5], [3, 1, 2, 5, 4]).Value, Is.EqualTo(0.4).Within(Exact));
        // One pair tied in x: n_c = 5, n_d = 0, n₀ = 6, n₁ = 1, n₂ = 0 → 5/√(5·6).
        Assert.That(Correlation.KendallTauB([1, 2, 2, 3], [1, 2, 3, 4]).Value, Is.EqualTo(5 / Math.Sqrt(30)).Within(Exact));
    }

    /// <summary>Knight's O(n log n) algorithm equals the O(n²) definition, ties included.</summary>
    [FsCheck.NUnit.Property(MaxTest = 200)]
    public Property KendallMatchesTheQuadraticDefinition() => Prop.ForAll(
        Gen.Choose(2, 30).SelectMany(n => Gen.Choose(0, 4).ArrayOf(n).SelectMany(x => Gen.Choose(0, 4).ArrayOf(n).Select(y => (x, y)))).ToArbitrary(),
        pair =>
        {
            var x = pair.x.Select(v => (double)v).ToArray();
            var y = pair.y.Select(v => (double)v).ToArray();
            long nc = 0, nd = 0, tx = 0, ty = 0, n0 = (long)x.Length * (x.Length - 1) / 2;
            for (int i = 0; i < x.Length; i++)
                for (int j = i + 1; j < x.Length; j++)
                {
                    double s = Math.Sign(x[i] - x[j]) * Math.Sign(y[i] - y[j]);
                    if (x[i] == x[j]) tx++;
                    if (y[i] == y[j]) ty++;
                    if (s > 0) nc++; else if (s < 0) nd++;
                }
            double denominator = Math.Sqrt((double)(n0 - tx) * (n0 - ty));
            var tau = Correlation.KendallTauB(x, y);
            if (denominator == 0) return !tau.IsDefined;
            return tau.IsDefined && Math.Abs(tau.Value - (nc - nd) / denominator) < 1e-12;
        });

    [Test]
    public void ConstantOrNonFiniteVectorsAreUndefinedWithAReason()
    {
        Assert.That(Correlation.Pearson([1, 1, 1], [1, 2, 3]).Undefined, Is.EqualTo("constant scores"));
        Assert.That(Correlation.Spearman([2, 2, 2], [1, 2, 3]).Undefined, Is.EqualTo("constant scores"));
        Assert.That(Correlation.KendallTauB([1, 2, 3], [5, 5, 5]).Undefined, Is.EqualTo("constant scores"));
        Assert.That(Correlation.Pearson([1, double.NaN, 3], [1, 2, 3]).Undefined, Is.EqualTo("non-finite scores"));
        Assert.That(Correlation.Pearson([1], [2]).Undefined, Is.EqualTo("fewer than 2 components"));
    }

    /// <summary>
    /// Constancy is relative to the vector's own scale: round-off around a large value is constant
    /// (its "correlation" would be one with noise), a small but real spread is not.
    /// </summary>
    [TestCase(1e3, 1e-5, true)]      // spread 1e-8 of the magnitude: float32 round-off
    [TestCase(1e3, 1e-2, false)]     // 1e-5 of the magnitude: above the 1e-6 threshold
    [TestCase(1e-9, 1e-12, false)]   // tiny values with a spread of 1e-3 of their size: a real pattern
    [TestCase(0, 0, true)]
    public void NearlyConstantVectorsAreUndefinedRelativeToTheirScale(double level, double wiggle, bool constant)
    {
        double[] x = [level + wiggle, level - wiggle, level + 2 * wiggle, level];
        double[] y = [1, 2, 3, 4];
        var expected = constant ? "constant scores" : null;
        Assert.That(Correlation.NearlyConstant(x), Is.EqualTo(constant));
        Assert.That(Correlation.Pearson(x, y).Undefined, Is.EqualTo(expected));
        Assert.That(Correlation.Spearman(x, y).Undefined, Is.EqualTo(expected));
        Assert.That(Correlation.KendallTauB(x, y).Undefined, Is.EqualTo(expected));
    }

    [Test]
    public void TopKIsTenPercentRoundedUpAndClampedToN()
    {
        Assert.That(TopK.K(144, 0.1), Is.EqualTo(15));
        Assert.That(TopK.K(10, 0.1), Is.EqualTo(1));
        Assert.That(TopK.K(3, 0.1), Is.EqualTo(1));
        Assert.That(TopK.K(5, 3.0), Is.EqualTo(5), "k larger than n is n");
        Assert.That(TopK.K(0, 0.1), Is.EqualTo(0));
    }

    [Test]
    public void JaccardOfTheTopComponentsByMagnitude()
    {
        double[] x = [5, -4, 0.1, 0.2, 3];
        double[] y = [-6, 0.5, 0.1, 4, 3];
        // k = ⌈0.4·5⌉ = 2: top |x| = {0, 1}, top |y| = {0, 3} → 1/3.
        Assert.That(TopK.Jaccard(x, y, 0.4).Value, Is.EqualTo(1.0 / 3).Within(Exact));
        // Signs over the union {0, 1, 3}: (5, −6) differ, (−4, 0.5) differ, (0.2, 4) agree → 1/3.
        Assert.That(TopK.SignAgreement(x, y, 0.4).Value, Is.EqualTo(1.0 / 3).Within(Exact));
        // k = n: every nonzero component on both sides → J = 1.
        Assert.That(TopK.Jaccard(x, y, 2.0).Value, Is.EqualTo(1).Within(Exact));
    }

    [Test]
    public void AllZeroScoresHaveNoTopKAndAreUndefined()
    {
        Assert.That(TopK.Jaccard([0, 0, 0], [0, 0, 0]).Undefined, Is.EqualTo("no nonzero scores"));
        Assert.That(TopK.SignAgreement([0, 0, 0], [0, 0, 0]).Undefined, Is.EqualTo("no nonzero scores"));
        // One side zero: the union is the other side's top-k and the intersection is empty.
        Assert.That(TopK.Jaccard([0, 0, 0], [0, 1, 0]).Value, Is.EqualTo(0));
    }

    [Test]
    public void SummaryLeavesUndefinedValuesOutAndCountsThem()
    {
        var summary = Summary.Of([new StatisticValue(1), new StatisticValue(2), StatisticValue.None("constant scores"), new StatisticValue(4)]);
        Assert.That(summary.Defined, Is.EqualTo(3));
        Assert.That(summary.Undefined, Is.EqualTo(1));
        Assert.That(summary.Mean, Is.EqualTo(7.0 / 3).Within(Exact));
        Assert.That(summary.Median, Is.EqualTo(2));
        // Sample sd of (1, 2, 4): √(((−4/3)² + (−1/3)² + (5/3)²)/2) = √(7/3).
        Assert.That(summary.StandardDeviation, Is.EqualTo(Math.Sqrt(7.0 / 3)).Within(Exact));
        Assert.That(Summary.Of([StatisticValue.None("x")]).Text, Is.EqualTo("undefined"));
    }
}
