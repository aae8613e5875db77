using System.Globalization;
using Concord.Methods.Quadrature;

namespace Concord.Methods.Attribution;

/// <summary>
/// How IG integrates along its path. "Evaluations" counts integrand evaluations (gradient
/// computations) for every rule, as captum's n_steps does: the unit of cost, whatever the rule.
/// </summary>
public abstract record IgQuadrature
{
    private IgQuadrature() { }

    /// <summary>The text hashed into a unit's fingerprint; stable across renames of C# members.</summary>
    public abstract string Id();

    /// <summary>A fixed rule with <paramref name="Evaluations"/> nodes (captum's default is 50 Gauss–Legendre nodes).</summary>
    public sealed record Fixed(QuadratureRule Rule, int Evaluations) : IgQuadrature
    {
        public QuadraturePoints Points => QuadraturePoints.For(Rule, Evaluations);
        public override string Id() => $"{Rule.Id()}/{Evaluations.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// Gauss–Legendre nodes doubled per layer from <see cref="IntegratedGradients.AdaptiveInitialSteps"/>
    /// until every prompt's completeness error is within <paramref name="Tolerance"/> of |F(end) − F(start)|,
    /// at most <paramref name="Cap"/> nodes.
    /// </summary>
    public sealed record Adaptive(double Tolerance, int Cap) : IgQuadrature
    {
        public override string Id() => $"auto/{Tolerance.ToString("R", CultureInfo.InvariantCulture)}/{Cap.ToString(CultureInfo.InvariantCulture)}";
    }
}

/// <summary>IG's own settings: its quadrature and where its path starts. Only IG reads them.</summary>
public sealed record IgSettings(IgQuadrature Quadrature, Baseline Baseline = Baseline.Aligned)
{
    /// <summary>50 Gauss–Legendre nodes from the aligned baseline, captum's step count.</summary>
    public static IgSettings Default { get; } = new(new IgQuadrature.Fixed(QuadratureRule.GaussLegendre, 50));

    public static IgSettings FixedNodes(int evaluations, QuadratureRule rule = QuadratureRule.GaussLegendre, Baseline baseline = Baseline.Aligned) =>
        new(new IgQuadrature.Fixed(rule, evaluations), baseline);

    public static IgSettings Auto(double tolerance, int cap = 4096, Baseline baseline = Baseline.Aligned) =>
        new(new IgQuadrature.Adaptive(tolerance, cap), baseline);

    public string Id() => $"{Quadrature.Id()};baseline={Baseline.Id()}";
}
