namespace Concord.Methods.Agreement;

/// <summary>Pearson r, Spearman ρ (average ranks for ties) and Kendall τ-b (Knight's O(n log n) algorithm).</summary>
public static class Correlation
{
    public static StatisticValue Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (Check(x, y) is { } problem) return problem;
        double mx = x.Average(), my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) return StatisticValue.None("constant scores");
        return StatisticValue.Of(Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1));
    }

    public static StatisticValue Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (Check(x, y) is { } problem) return problem;
        return Pearson(Ranks(x), Ranks(y));
    }

    /// <summary>1-based ranks, ties sharing the average of the ranks they span.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            double average = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = average;
            start = end + 1;
        }
        return ranks;
    }

    /// <summary>τ-b = (n_c − n_d) / √((n₀ − n₁)(n₀ − n₂)), with n₁, n₂ the pairs tied in x, in y.</summary>
    public static StatisticValue KendallTauB(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (Check(x, y) is { } problem) return problem;
        int n = x.Count;
        var idx = Enumerable.Range(0, n).OrderBy(i => x[i]).ThenBy(i => y[i]).ToArray();
        long n0 = (long)n * (n - 1) / 2;
        long tiedX = 0, tiedXY = 0;
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && x[idx[j + 1]] == x[idx[i]]) j++;
            long run = j - i + 1;
            tiedX += run * (run - 1) / 2;
            for (int a = i; a <= j;)
            {
                int b = a;
                while (b + 1 <= j && y[idx[b + 1]] == y[idx[a]]) b++;
                long r = b - a + 1;
                tiedXY += r * (r - 1) / 2;
                a = b + 1;
            }
            i = j + 1;
        }
        // Sorting by y with a merge sort counts the swaps: the pairs ordered one way by x and the other by y.
        var ys = idx.Select(i => y[i]).ToArray();
        long swaps = MergeCount(ys, new double[n], 0, n);
        long tiedY = 0;
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && ys[j + 1] == ys[i]) j++;
            long run = j - i + 1;
            tiedY += run * (run - 1) / 2;
            i = j + 1;
        }
        double denominator = Math.Sqrt((double)(n0 - tiedX) * (n0 - tiedY));
        if (denominator == 0) return StatisticValue.None("constant scores");
        long concordantMinusDiscordant = n0 - tiedX - tiedY + tiedXY - 2 * swaps;
        return StatisticValue.Of(Math.Clamp(concordantMinusDiscordant / denominator, -1, 1));
    }

    private static long MergeCount(double[] a, double[] buffer, int lo, int hi)
    {
        if (hi - lo < 2) return 0;
        int mid = (lo + hi) / 2;
        long swaps = MergeCount(a, buffer, lo, mid) + MergeCount(a, buffer, mid, hi);
        int i = lo, j = mid, k = lo;
        while (i < mid && j < hi)
        {
            if (a[j] < a[i]) { swaps += mid - i; buffer[k++] = a[j++]; }
            else buffer[k++] = a[i++];
        }
        while (i < mid) buffer[k++] = a[i++];
        while (j < hi) buffer[k++] = a[j++];
        Array.Copy(buffer, lo, a, lo, hi - lo);
        return swaps;
    }

    private static StatisticValue? Check(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"score vectors differ in length ({x.Count} vs {y.Count})");
        if (x.Count < 2) return StatisticValue.None("fewer than 2 components");
        if (x.Any(v => !double.IsFinite(v)) || y.Any(v => !double.IsFinite(v))) return StatisticValue.None("non-finite scores");
        if (NearlyConstant(x) || NearlyConstant(y)) return StatisticValue.None("constant scores");
        return null;
    }

    /// <summary>
    /// Scores from float32 runs carry round-off of about 1e-7 of their magnitude, so a vector whose
    /// spread is below this fraction of its largest |value| is constant up to noise: any correlation
    /// with it would be a correlation with round-off.
    /// </summary>
    public const double ConstantSpread = 1e-6;

    /// <summary>True when the standard deviation is at most <see cref="ConstantSpread"/> × max |value| (all-zero included).</summary>
    public static bool NearlyConstant(IReadOnlyList<double> x)
    {
        double mean = x.Average(), largest = x.Max(Math.Abs), squares = 0;
        foreach (var v in x) squares += (v - mean) * (v - mean);
        return Math.Sqrt(squares / x.Count) <= ConstantSpread * largest;
    }
}
