using Concord.Methods.Quadrature;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Methods;

[TestFixture]
public class QuadratureTests
{
    [Test]
    public void EveryRuleHasWeightsSummingToOneAndNodesInTheUnitInterval(
        [Values] QuadratureRule rule, [Values(1, 2, 7, 50)] int steps)
    {
        if (rule == QuadratureRule.Trapezoid && steps == 1)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => QuadraturePoints.For(rule, steps), "the trapezoid rule needs its two ends");
            return;
        }
        var q = QuadraturePoints.For(rule, steps);
        Assert.That(q.Weights.Sum(), Is.EqualTo(1.0).Within(1e-14));
        Assert.That(q.Nodes, Has.All.InRange(0.0, 1.0));
    }

    /// <summary>n-point Gauss–Legendre integrates x^k exactly for k ≤ 2n − 1: ∫₀¹ x^k = 1/(k+1).</summary>
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(5)]
    [TestCase(20)]
    [TestCase(50)]
    public void GaussLegendreIsExactForPolynomialsOfDegreeUpTo2nMinus1(int n)
    {
        var q = QuadraturePoints.For(QuadratureRule.GaussLegendre, n);
        for (int k = 0; k <= 2 * n - 1; k++)
        {
            double integral = q.Nodes.Zip(q.Weights, (x, w) => w * Math.Pow(x, k)).Sum();
            Assert.That(integral, Is.EqualTo(1.0 / (k + 1)).Within(1e-13), $"x^{k}");
        }
    }

    [Test]
    public void GaussLegendreMatchesTabulatedThreePointRule()
    {
        // On [−1, 1]: nodes 0, ±√(3/5), weights 8/9, 5/9.
        var (x, w) = GaussLegendre.OnSymmetricInterval(3);
        Assert.That(x, Is.EqualTo(new[] { -Math.Sqrt(0.6), 0, Math.Sqrt(0.6) }).Within(1e-15));
        Assert.That(w, Is.EqualTo(new[] { 5.0 / 9, 8.0 / 9, 5.0 / 9 }).Within(1e-15));
    }

    /// <summary>"Steps" count integrand evaluations for every rule, as captum's n_steps: n trapezoid nodes span n − 1 intervals.</summary>
    [TestCase(QuadratureRule.Trapezoid, 11)]
    [TestCase(QuadratureRule.GaussLegendre, 11)]
    [TestCase(QuadratureRule.RiemannLeft, 11)]
    public void StepsCountIntegrandEvaluations(QuadratureRule rule, int steps) =>
        Assert.That(QuadraturePoints.For(rule, steps).Count, Is.EqualTo(steps));

    // ∫₀¹ e^x dx = e − 1. Errors: Riemann left/right ≈ (e−1)/(2n); midpoint ≈ (e−1)/(24n²);
    // trapezoid ≈ (e−1)/(12n²) with n intervals (n + 1 evaluations); each bound below is the leading term rounded up by ~10%.
    private const double ExpIntegral = Math.E - 1;

    [TestCase(QuadratureRule.RiemannLeft, 10, 0.0945)]
    [TestCase(QuadratureRule.RiemannRight, 10, 0.0945)]
    [TestCase(QuadratureRule.RiemannLeft, 100, 0.00945)]
    [TestCase(QuadratureRule.RiemannMidpoint, 10, 7.9e-4)]
    [TestCase(QuadratureRule.RiemannMidpoint, 100, 7.9e-6)]
    [TestCase(QuadratureRule.Trapezoid, 11, 1.58e-3)]
    [TestCase(QuadratureRule.Trapezoid, 101, 1.58e-5)]
    [TestCase(QuadratureRule.GaussLegendre, 3, 1e-5)]
    [TestCase(QuadratureRule.GaussLegendre, 6, 1e-13)]
    public void ErrorOnExponentialIsWithinTheRulesBound(QuadratureRule rule, int steps, double maxError)
    {
        var q = QuadraturePoints.For(rule, steps);
        double integral = q.Nodes.Zip(q.Weights, (x, w) => w * Math.Exp(x)).Sum();
        Assert.That(Math.Abs(integral - ExpIntegral), Is.LessThanOrEqualTo(maxError));
    }
}
