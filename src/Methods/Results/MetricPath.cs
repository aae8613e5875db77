namespace Concord.Methods.Results;

/// <summary>
/// The metric along IG's path at one layer: F(start + α·(end − start)) at every α the quadrature
/// evaluated (its nodes, and for the composite rule its piece ends), both ends included, per prompt.
/// IG computes these anyway; kept, they say where along the path the metric moves.
/// </summary>
/// <param name="Alphas">Ascending, from 0 to 1.</param>
/// <param name="Metric">Metric[i][p]: F at Alphas[i] on prompt p.</param>
public sealed record MetricPath(double[] Alphas, double[][] Metric)
{
    public int Prompts => Metric.Length == 0 ? 0 : Metric[0].Length;

    /// <summary>From every (α, F of each prompt) evaluated, in any order and with repeats (the first value of an α is kept).</summary>
    public static MetricPath From(IEnumerable<(double Alpha, double[] Metric)> points)
    {
        var ordered = points.GroupBy(p => p.Alpha).Select(g => g.First()).OrderBy(p => p.Alpha).ToList();
        return new MetricPath(ordered.Select(p => p.Alpha).ToArray(), ordered.Select(p => p.Metric).ToArray());
    }

    /// <summary>
    /// The first α at which the prompt's F has covered <paramref name="fraction"/> of F(1) − F(0)
    /// (linear between evaluated points); null when F(1) = F(0) or the path has no ends.
    /// </summary>
    public double? Crossing(int prompt, double fraction)
    {
        if (Alphas.Length < 2 || Alphas[0] != 0 || Alphas[^1] != 1) return null;
        double f0 = Metric[0][prompt], range = Metric[^1][prompt] - f0;
        if (range == 0 || !double.IsFinite(range)) return null;
        double Progress(int i) => (Metric[i][prompt] - f0) / range;
        for (int i = 1; i < Alphas.Length; i++)
        {
            double before = Progress(i - 1), after = Progress(i);
            if (after < fraction) continue;
            // Linear between the two evaluated points on either side of the crossing.
            return after == before ? Alphas[i] : Alphas[i - 1] + (fraction - before) / (after - before) * (Alphas[i] - Alphas[i - 1]);
        }
        return 1;
    }

    /// <summary>The prompt's progress (F(α) − F(0)) / (F(1) − F(0)) at <paramref name="alpha"/>, linear between evaluated points; NaN when F(1) = F(0).</summary>
    public double ProgressAt(int prompt, double alpha)
    {
        double f0 = Metric[0][prompt], range = Metric[^1][prompt] - f0;
        if (range == 0) return double.NaN;
        int i = Array.BinarySearch(Alphas, alpha);
        if (i >= 0) return (Metric[i][prompt] - f0) / range;
        int right = Math.Min(~i, Alphas.Length - 1), left = Math.Max(right - 1, 0);
        double t = Alphas[right] == Alphas[left] ? 0 : (alpha - Alphas[left]) / (Alphas[right] - Alphas[left]);
        return ((1 - t) * Metric[left][prompt] + t * Metric[right][prompt] - f0) / range;
    }
}
