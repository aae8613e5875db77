namespace Concord.Methods.Agreement;

/// <summary>
/// The value of one agreement statistic, which may be undefined (a constant vector has no correlation; a prompt whose scores
/// are all zero has no top-k). Undefined values carry the reason and are left out of means and
/// medians, and counted, never averaged in as NaN.
/// </summary>
public readonly record struct StatisticValue(double Value, string? Undefined = null)
{
    public bool IsDefined => Undefined is null;
    public static StatisticValue Of(double value) => double.IsFinite(value) ? new(value) : new(double.NaN, "not finite");
    public static StatisticValue None(string reason) => new(double.NaN, reason);
    public override string ToString() => IsDefined ? Value.ToString("F3", System.Globalization.CultureInfo.InvariantCulture) : $"undefined ({Undefined})";
}

/// <summary>Mean ± sd and median of the defined values of a statistic across prompts, with the count left out.</summary>
public sealed record Summary(double Mean, double StandardDeviation, double Median, double Min, double Max, int Defined, int Undefined)
{
    public static Summary Of(IEnumerable<StatisticValue> values)
    {
        var list = values.ToList();
        var defined = list.Where(s => s.IsDefined).Select(s => s.Value).Order().ToArray();
        int undefined = list.Count - defined.Length;
        if (defined.Length == 0) return new Summary(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0, undefined);
        double mean = defined.Average();
        // Sample standard deviation (n − 1); 0 for a single value.
        double sd = defined.Length > 1 ? Math.Sqrt(defined.Sum(v => (v - mean) * (v - mean)) / (defined.Length - 1)) : 0;
        double median = defined.Length % 2 == 1 ? defined[defined.Length / 2] : (defined[defined.Length / 2 - 1] + defined[defined.Length / 2]) / 2;
        return new Summary(mean, sd, median, defined[0], defined[^1], defined.Length, undefined);
    }

    public string Text => Defined == 0 ? "undefined" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Mean:F3} ± {StandardDeviation:F3} (median {Median:F3})");
}
