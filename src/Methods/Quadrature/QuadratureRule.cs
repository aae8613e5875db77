namespace Concord.Methods.Quadrature;

/// <summary>Rules for ∫₀¹ f(α) dα. Every rule's weights sum to 1, so a constant integrand is exact.</summary>
public enum QuadratureRule { RiemannLeft, RiemannRight, RiemannMidpoint, Trapezoid, GaussLegendre }

/// <summary>Nodes α_j in [0, 1] and weights w_j with ∫₀¹ f ≈ Σ_j w_j f(α_j).</summary>
public sealed record QuadraturePoints(double[] Nodes, double[] Weights)
{
    public int Count => Nodes.Length;

    /// <param name="steps">Integrand evaluations (nodes), for every rule: the cost of the rule, as captum counts n_steps.</param>
    public static QuadraturePoints For(QuadratureRule rule, int steps)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "at least one node");
        if (rule == QuadratureRule.Trapezoid && steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the trapezoid rule needs at least two nodes (its two ends)");
        double h = 1.0 / steps;
        return rule switch
        {
            QuadratureRule.RiemannLeft => new(Enumerable.Range(0, steps).Select(j => j * h).ToArray(), Fill(steps, h)),
            QuadratureRule.RiemannRight => new(Enumerable.Range(1, steps).Select(j => j * h).ToArray(), Fill(steps, h)),
            QuadratureRule.RiemannMidpoint => new(Enumerable.Range(0, steps).Select(j => (j + 0.5) * h).ToArray(), Fill(steps, h)),
            // `steps` nodes span steps − 1 intervals; the end nodes carry half an interval's weight.
            QuadratureRule.Trapezoid => Trapezoid(steps),
            QuadratureRule.GaussLegendre => Quadrature.GaussLegendre.OnUnitInterval(steps),
            _ => throw new ArgumentOutOfRangeException(nameof(rule)),
        };
    }

    private static QuadraturePoints Trapezoid(int nodes)
    {
        double h = 1.0 / (nodes - 1);
        return new(Enumerable.Range(0, nodes).Select(j => j * h).ToArray(),
            Enumerable.Range(0, nodes).Select(j => j == 0 || j == nodes - 1 ? h / 2 : h).ToArray());
    }

    private static double[] Fill(int n, double v)
    {
        var a = new double[n];
        Array.Fill(a, v);
        return a;
    }
}

public static class QuadratureRules
{
    /// <summary>The stable identifier: the command-line spelling, and the name in file names, unit keys, CSV and JSON outputs. Never change one: resumed runs and pinned snapshots depend on it.</summary>
    public static string Id(this QuadratureRule rule) => rule switch
    {
        QuadratureRule.RiemannLeft => "riemann-left",
        QuadratureRule.RiemannRight => "riemann-right",
        QuadratureRule.RiemannMidpoint => "riemann-midpoint",
        QuadratureRule.Trapezoid => "trapezoid",
        QuadratureRule.GaussLegendre => "gauss-legendre",
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    public static QuadratureRule Parse(string name) => StableIds.Parse<QuadratureRule>(name, Id, "quadrature rule");
}
