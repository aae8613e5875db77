namespace Concord.Methods.Quadrature;

/// <summary>
/// Gauss–Legendre nodes and weights by Newton's method on the Legendre polynomial P_n (three-term
/// recurrence for P_n and its derivative). Exact for polynomials of degree ≤ 2n − 1.
/// </summary>
public static class GaussLegendre
{
    /// <summary>Nodes and weights on [−1, 1], ascending.</summary>
    public static (double[] Nodes, double[] Weights) OnSymmetricInterval(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "at least one node");
        var nodes = new double[n];
        var weights = new double[n];
        for (int i = 0; i < (n + 1) / 2; i++)
        {
            // Tricomi's initial guess for the i-th root (descending), then Newton to machine precision.
            double x = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5));
            double derivative = 0;
            for (int iteration = 0; iteration < 100; iteration++)
            {
                (double p, derivative) = Legendre(n, x);
                double dx = p / derivative;
                x -= dx;
                if (Math.Abs(dx) < 1e-16) break;
            }
            (_, derivative) = Legendre(n, x);
            double w = 2.0 / ((1 - x * x) * derivative * derivative);
            nodes[i] = -x;
            nodes[n - 1 - i] = x;
            weights[i] = weights[n - 1 - i] = w;
        }
        if (n % 2 == 1) nodes[n / 2] = 0; // exact symmetry of the middle node
        return (nodes, weights);
    }

    /// <summary>Nodes mapped to [0, 1] by α = (x + 1)/2, weights halved so they sum to 1.</summary>
    public static QuadraturePoints OnUnitInterval(int n)
    {
        var (x, w) = OnSymmetricInterval(n);
        return new QuadraturePoints(x.Select(v => (v + 1) / 2).ToArray(), w.Select(v => v / 2).ToArray());
    }

    private static (double P, double Derivative) Legendre(int n, double x)
    {
        double p0 = 1, p1 = x;
        for (int k = 2; k <= n; k++)
        {
            double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
            p0 = p1;
            p1 = p2;
        }
        if (n == 0) return (1, 0);
        double derivative = n * (x * p1 - p0) / (x * x - 1);
        return (p1, derivative);
    }
}
