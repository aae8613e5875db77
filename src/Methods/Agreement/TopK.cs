namespace Concord.Methods.Agreement;

/// <summary>
/// Overlap of the most important components by |score|. k = ⌈fraction·n⌉ (at least 1, at most n).
/// Components scored exactly 0 are never "important". If neither method scores anything nonzero the
/// union is empty and both statistics are undefined ("no nonzero scores"), not 1 and not 0.
/// </summary>
public static class TopK
{
    public const double DefaultFraction = 0.10;

    public static int K(int n, double fraction) => n == 0 ? 0 : Math.Clamp((int)Math.Ceiling(fraction * n - 1e-9), 1, n);

    /// <summary>Indices of the k largest |values|, ties broken by index; zeros excluded.</summary>
    public static int[] Top(IReadOnlyList<double> values, int k) =>
        Enumerable.Range(0, values.Count)
            .Where(i => values[i] != 0 && double.IsFinite(values[i]))
            .OrderByDescending(i => Math.Abs(values[i])).ThenBy(i => i)
            .Take(k).ToArray();

    public static StatisticValue Jaccard(IReadOnlyList<double> x, IReadOnlyList<double> y, double fraction = DefaultFraction)
    {
        int k = K(x.Count, fraction);
        var a = Top(x, k).ToHashSet();
        var b = Top(y, k).ToHashSet();
        int union = a.Union(b).Count();
        return union == 0 ? StatisticValue.None("no nonzero scores") : StatisticValue.Of((double)a.Intersect(b).Count() / union);
    }

    /// <summary>Fraction of the components in either top-k whose two scores have the same sign.</summary>
    public static StatisticValue SignAgreement(IReadOnlyList<double> x, IReadOnlyList<double> y, double fraction = DefaultFraction)
    {
        int k = K(x.Count, fraction);
        var union = Top(x, k).Union(Top(y, k)).ToArray();
        if (union.Length == 0) return StatisticValue.None("no nonzero scores");
        return StatisticValue.Of((double)union.Count(i => Math.Sign(x[i]) == Math.Sign(y[i])) / union.Length);
    }
}
