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
    /// Adaptive composite Gauss–Legendre (<see cref="AdaptiveComposite"/>): pieces of the path,
    /// cut at <paramref name="Breakpoints"/> (the similarity sweep's s, whose IG then comes from the
    /// same evaluations) and bisected until every prompt's completeness error is within
    /// <paramref name="Tolerance"/> of |F(end) − F(start)|, at most <paramref name="Cap"/> gradient evaluations.
    /// </summary>
    /// <param name="Split">
    /// Split IG's fraction r (`--split-ig r`, <see cref="Method.IgSplit"/>): the grid also meets τ up to
    /// each prompt's split point, so IG's own numbers can differ (within τ) from a run without it, and
    /// its id says so; null for none (the id is then what it always was).
    /// </param>
    public sealed record Adaptive(double Tolerance, int Cap, IReadOnlyList<double>? Breakpoints = null, double? Split = null) : IgQuadrature
    {
        public IReadOnlyList<double> Cuts => (Breakpoints ?? []).Where(s => s > 0 && s < 1).Distinct().Order().ToList();

        public override string Id() => $"auto/{Tolerance.ToString("R", CultureInfo.InvariantCulture)}/{Cap.ToString(CultureInfo.InvariantCulture)}" +
            (Cuts.Count == 0 ? "" : "/cuts=" + string.Join(",", Cuts.Select(s => s.ToString("R", CultureInfo.InvariantCulture)))) +
            (Split is double r ? "/split=" + r.ToString("R", CultureInfo.InvariantCulture) : "");

        public bool Equals(Adaptive? other) => other is not null && Tolerance == other.Tolerance && Cap == other.Cap && Cuts.SequenceEqual(other.Cuts) && Split == other.Split;
        public override int GetHashCode() => HashCode.Combine(Tolerance, Cap, Cuts.Count, Split);
    }
}

/// <summary>IG's own settings: its quadrature and where its path starts. Only IG reads them.</summary>
public sealed record IgSettings(IgQuadrature Quadrature, Baseline Baseline = Baseline.Aligned)
{
    /// <summary>50 Gauss–Legendre nodes from the aligned baseline, captum's step count.</summary>
    public static IgSettings Default { get; } = new(new IgQuadrature.Fixed(QuadratureRule.GaussLegendre, 50));

    public static IgSettings FixedNodes(int evaluations, QuadratureRule rule = QuadratureRule.GaussLegendre, Baseline baseline = Baseline.Aligned) =>
        new(new IgQuadrature.Fixed(rule, evaluations), baseline);

    /// <param name="split">Split IG's fraction r (<see cref="IgQuadrature.Adaptive.Split"/>); null for none.</param>
    public static IgSettings Auto(double tolerance, int cap = 4096, Baseline baseline = Baseline.Aligned, double? split = null) =>
        new(new IgQuadrature.Adaptive(tolerance, cap, Split: split), baseline);

    public string Id() => $"{Quadrature.Id()};baseline={Baseline.Id()}";

    /// <summary>With the adaptive rule, the path also cut at the sweep's scales (so the sweep's IG comes from the same evaluations); a fixed rule as it is.</summary>
    public IgSettings CutAt(IReadOnlyList<double> scales) =>
        Quadrature is IgQuadrature.Adaptive a ? this with { Quadrature = a with { Breakpoints = scales } } : this;
}
