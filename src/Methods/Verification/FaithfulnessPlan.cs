using Concord.Methods.Attribution;
using Concord.Methods.Targets;

namespace Concord.Methods.Verification;

/// <summary>
/// The interventions one kind's faithfulness curves need: for every ranking (each method signed and
/// absolute, and the random permutations) and circuit size n, the set outside the circuit — the
/// ranking's components from position n on. Identical sets are run once (every ranking's empty
/// circuit is the whole kind; its full circuit intervenes on nothing, the unablated base run), so
/// f(0) = 0 and f(1) = 1 hold exactly, from the same numbers.
/// </summary>
public sealed class FaithfulnessPlan
{
    /// <summary>A curve to draw: its ranking and, per circuit size (0 first, N last), the index of the set it intervenes on.</summary>
    public sealed record PlannedCurve(string Method, RankingKind Ranking, int[] Order, int[] SetPerSize);

    public IReadOnlyList<Target> Components { get; }
    /// <summary>Circuit sizes 0, the sizes of the fractions k, and N.</summary>
    public IReadOnlyList<int> Sizes { get; }
    /// <summary>The distinct intervened sets: <see cref="EmptyCircuit"/> (every component) and <see cref="FullCircuit"/> (none) among them.</summary>
    public IReadOnlyList<IReadOnlyList<Target>> Sets { get; }
    public IReadOnlyList<PlannedCurve> Curves { get; }
    public const int EmptyCircuit = 0, FullCircuit = 1;

    private FaithfulnessPlan(IReadOnlyList<Target> components, IReadOnlyList<int> sizes, IReadOnlyList<IReadOnlyList<Target>> sets, IReadOnlyList<PlannedCurve> curves) =>
        (Components, Sizes, Sets, Curves) = (components, sizes, sets, curves);

    /// <param name="meanScores">Each ranked method's score of every component averaged over the task's prompts, slots as <paramref name="components"/>.</param>
    /// <param name="seed">Seeds the random rankings (permutation r uses seed + r).</param>
    public static FaithfulnessPlan Build(IReadOnlyList<Target> components, IReadOnlyList<(string Method, IReadOnlyList<double> MeanScores)> meanScores,
        Direction direction, VerificationOptions options, int seed)
    {
        int n = components.Count;
        if (n == 0) throw new ArgumentException("a faithfulness curve needs at least one component", nameof(components));
        var sizes = Ranking.CircuitSizes(n, options.CircuitFractions).Prepend(0).Append(n).Distinct().Order().ToList();
        var sets = new List<IReadOnlyList<Target>>();
        var index = new Dictionary<string, int>();
        int SetOf(int[] order, int size)
        {
            var slots = order[size..].Order().ToArray();
            var key = string.Join(",", slots);
            if (!index.TryGetValue(key, out int i))
            {
                index[key] = i = sets.Count;
                sets.Add(slots.Select(s => components[s]).ToList());
            }
            return i;
        }
        var identity = Enumerable.Range(0, n).ToArray();
        SetOf(identity, 0);
        SetOf(identity, n);
        var curves = new List<PlannedCurve>();
        foreach (var (method, mean) in meanScores)
        {
            if (mean.Count != n) throw new ArgumentException($"{method}: {mean.Count} mean scores for {n} components", nameof(meanScores));
            foreach (var ranking in new[] { RankingKind.Signed, RankingKind.Absolute })
            {
                var order = Ranking.Order(mean, ranking, direction);
                curves.Add(new PlannedCurve(method, ranking, order, sizes.Select(s => SetOf(order, s)).ToArray()));
            }
        }
        for (int r = 0; r < options.RandomRankings; r++)
        {
            var order = Ranking.Random(n, seed + r);
            curves.Add(new PlannedCurve(RandomMethod, RankingKind.Signed, order, sizes.Select(s => SetOf(order, s)).ToArray()));
        }
        return new FaithfulnessPlan(components, sizes, sets, curves);
    }

    /// <summary>The control's name among the curves.</summary>
    public const string RandomMethod = "random";

    /// <summary>Every set by its components' labels: hashed into the unit key, so other rankings never reuse these numbers.</summary>
    public string Id() => string.Join(";", Sets.Select(s => string.Join(",", s.Select(c => c.Label))));

    /// <summary>
    /// The curves from m(set) of every prompt ([set, prompt], the task's prompts in order): f per
    /// circuit size, CPR and CMD, each method's CPR with a bootstrap interval over prompts (the
    /// rankings stay fixed: the interval is the spread from which prompts were drawn), and the
    /// random control's mean and spread.
    /// </summary>
    public KindFaithfulness Evaluate(double[,] metrics, int bootstrapSamples, int seed)
    {
        int sets = metrics.GetLength(0), prompts = metrics.GetLength(1);
        if (sets != Sets.Count) throw new ArgumentException($"{sets} metric rows for {Sets.Count} sets", nameof(metrics));
        if (prompts == 0) throw new ArgumentException("no prompts", nameof(metrics));
        var mean = Means(metrics, Enumerable.Range(0, prompts).ToArray());
        double full = mean[FullCircuit], empty = mean[EmptyCircuit], span = full - empty;
        int n = Components.Count;
        if (!(Math.Abs(span) > 1e-9 * Math.Max(1, Math.Abs(full))))
            return new KindFaithfulness(n, full, empty, [], null,
                $"intervening on every {Components[0].Space.Id()} moves the mean metric by {span:G3}: f is undefined");

        List<CurvePoint> Points(PlannedCurve c, double[] m) =>
            Sizes.Select((size, i) => new CurvePoint((double)size / n, size, (m[c.SetPerSize[i]] - m[EmptyCircuit]) / (m[FullCircuit] - m[EmptyCircuit]))).ToList();

        var methodCurves = Curves.Where(c => c.Method != RandomMethod).ToList();
        var cprs = methodCurves.Select(_ => new double[bootstrapSamples]).ToList();
        var random = new Random(seed);
        var draw = new int[prompts];
        for (int b = 0; b < bootstrapSamples; b++)
        {
            for (int i = 0; i < prompts; i++) draw[i] = random.Next(prompts);
            var m = Means(metrics, draw);
            bool defined = Math.Abs(m[FullCircuit] - m[EmptyCircuit]) > 1e-9 * Math.Max(1, Math.Abs(m[FullCircuit]));
            for (int c = 0; c < methodCurves.Count; c++)
                cprs[c][b] = defined ? FaithfulnessCurve.Area(Points(methodCurves[c], m), f => f) : double.NaN;
        }

        var curves = methodCurves.Select((c, i) =>
        {
            var points = Points(c, mean);
            return new FaithfulnessCurve(c.Method, c.Ranking, points, FaithfulnessCurve.Area(points, f => f), FaithfulnessCurve.Area(points, f => Math.Abs(1 - f)),
                bootstrapSamples > 0 ? Interval.FromResamples(cprs[i]) : null);
        }).ToList();

        var randomCurves = Curves.Where(c => c.Method == RandomMethod).Select(c => Points(c, mean)).ToList();
        RandomControl? control = null;
        if (randomCurves.Count > 0)
        {
            var randomCpr = randomCurves.Select(p => FaithfulnessCurve.Area(p, f => f)).ToArray();
            double avg = randomCpr.Average();
            double sd = randomCpr.Length > 1 ? Math.Sqrt(randomCpr.Sum(v => (v - avg) * (v - avg)) / (randomCpr.Length - 1)) : 0;
            CurvePoint At(int i, Func<IEnumerable<double>, double> pick) => randomCurves[0][i] with { Faithfulness = pick(randomCurves.Select(p => p[i].Faithfulness)) };
            var range = Enumerable.Range(0, Sizes.Count).ToList();
            control = new RandomControl(randomCurves.Count, avg, sd, randomCpr.Min(), randomCpr.Max(), randomCurves.Average(p => FaithfulnessCurve.Area(p, f => Math.Abs(1 - f))),
                range.Select(i => At(i, v => v.Average())).ToList(), range.Select(i => At(i, v => v.Min())).ToList(), range.Select(i => At(i, v => v.Max())).ToList());
        }
        return new KindFaithfulness(n, full, empty, curves, control, null);
    }

    private static double[] Means(double[,] metrics, int[] prompts)
    {
        var result = new double[metrics.GetLength(0)];
        for (int s = 0; s < result.Length; s++)
        {
            double sum = 0;
            foreach (int p in prompts) sum += metrics[s, p];
            result[s] = sum / prompts.Length;
        }
        return result;
    }
}
