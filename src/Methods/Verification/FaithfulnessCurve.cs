namespace Concord.Methods.Verification;

/// <summary>One point of a faithfulness curve: the circuit's share of the components and f there.</summary>
public readonly record struct CurvePoint(double Fraction, int Size, double Faithfulness);

/// <summary>A 95 % bootstrap interval (percentiles of the resampled statistic).</summary>
public readonly record struct Interval(double Low, double High)
{
    public bool Contains(double value) => value >= Low && value <= High;

    /// <summary>The 2.5th and 97.5th percentiles of a statistic's resamples (undefined ones, NaN, left out); null when none is defined.</summary>
    public static Interval? FromResamples(IEnumerable<double> values)
    {
        var defined = values.Where(double.IsFinite).Order().ToArray();
        if (defined.Length == 0) return null;
        double At(double q) => defined[(int)Math.Round(q * (defined.Length - 1))];
        return new Interval(At(0.025), At(0.975));
    }
}

/// <summary>
/// f(k) = (m̄(C_k) − m̄(∅)) / (m̄(full) − m̄(∅)) over circuit sizes, from f(0) = 0 (the empty
/// circuit: the whole kind intervened on) to f(1) = 1 (nothing intervened on); CPR = ∫ f dk and
/// CMD = ∫ |1 − f| dk by the trapezoid rule over the circuit's actual share of the components.
/// </summary>
/// <param name="Method">The ranking's method id, or "random" for the control's mean.</param>
public sealed record FaithfulnessCurve(string Method, RankingKind Ranking, IReadOnlyList<CurvePoint> Points, double Cpr, double Cmd, Interval? CprInterval)
{
    public static double Area(IReadOnlyList<CurvePoint> points, Func<double, double> of)
    {
        double area = 0;
        for (int i = 1; i < points.Count; i++)
            area += (points[i].Fraction - points[i - 1].Fraction) * (of(points[i].Faithfulness) + of(points[i - 1].Faithfulness)) / 2;
        return area;
    }
}

/// <summary>The random rankings' CPR (mean, sample sd, range) and the band of their curves at each circuit size.</summary>
public sealed record RandomControl(int Rankings, double MeanCpr, double SdCpr, double MinCpr, double MaxCpr, double MeanCmd,
    IReadOnlyList<CurvePoint> Mean, IReadOnlyList<CurvePoint> Low, IReadOnlyList<CurvePoint> High);

/// <summary>A kind's faithfulness: every method's curves, the random control, and the metric means they are read from.</summary>
/// <param name="Components">How many components of the kind the circuits are drawn from (AP's neuron sample for neurons).</param>
/// <param name="Undefined">Why f is undefined (intervening on the whole kind does not move the mean metric), or null.</param>
public sealed record KindFaithfulness(int Components, double MetricFull, double MetricEmpty, IReadOnlyList<FaithfulnessCurve> Curves,
    RandomControl? Random, string? Undefined)
{
    /// <summary>
    /// (m̄(full) − m̄(empty)) over the mean gap |m(clean) − m(corrupted)|: how much the whole kind
    /// carries. Well below 5 %, f is a ratio of small differences and swings far outside [0, 1].
    /// </summary>
    public double? ShareOfGap { get; init; }

    public const double SmallShare = 0.05;

    /// <summary>
    /// The method whose signed ranking has the largest CPR (MIB's criterion), with the runner-up
    /// when its CPR lies inside the winner's interval (a tie) and whether the winner beats every
    /// random ranking. Null when f is undefined or the kind carries under <see cref="SmallShare"/>
    /// of the gap (then f is a ratio of small differences and no ranking can be read from it).
    /// </summary>
    public MostFaithfulMethod? MostFaithful()
    {
        if (Undefined is not null || ShareOfGap is double g && Math.Abs(g) < SmallShare) return null;
        var signed = Curves.Where(c => c.Ranking == RankingKind.Signed && double.IsFinite(c.Cpr)).OrderByDescending(c => c.Cpr).ToList();
        if (signed.Count == 0) return null;
        var best = signed[0];
        string? tie = signed.Count > 1 && best.CprInterval is { } ci && ci.Contains(signed[1].Cpr) ? signed[1].Method : null;
        return new MostFaithfulMethod(best.Method, best.Cpr, tie, Random is null || best.Cpr > Random.MaxCpr);
    }
}

/// <summary>The most faithful ranking of a kind: its method and CPR, a tied runner-up, and whether it beats every random ranking.</summary>
public sealed record MostFaithfulMethod(string Method, double Cpr, string? TiedWith, bool AboveChance);
