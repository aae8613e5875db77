using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Results;

namespace Concord.Methods.Pipeline;

/// <summary>Everything the report says about one task: metrics, agreement per kind and pair, completeness, sweep.</summary>
public sealed record TaskAnalysis(
    TaskResult Result,
    Summary CleanMetric, Summary CorruptedMetric,
    IReadOnlyList<PairAgreement> Agreements,
    IReadOnlyList<ConvergenceSummary> Convergence,
    IReadOnlyList<SweepSummary> Sweep,
    NormalisedExclusion NormalisedExclusion)
{
    /// <summary>
    /// The normalised view divides by F(a') − F(a); a prompt whose |F(a') − F(a)| is below this
    /// fraction of the task's median would be magnified more than 20-fold beyond a typical prompt,
    /// so it is left out of the normalised pooled statistics (and counted).
    /// </summary>
    public const double NormalisedMinimumFraction = 0.05;

    /// <summary>τ a fixed-rule IG is held to before its agreement counts as evidence: the adaptive rule's default.</summary>
    public const double EvidenceTolerance = 1e-3;

    /// <summary>Per method that checks completeness (IG, split IG) and component kind it scored: whether it converged on every prompt (empty without them).</summary>
    public IReadOnlyList<ConvergenceVerdict> Verdicts { get; init; } = [];

    /// <summary>The verdict on <paramref name="method"/> (IG by default) of <paramref name="kind"/> when it did not converge; null when it did or was not run.</summary>
    public ConvergenceVerdict? NotConverged(TargetSpace kind, Method? method = null) =>
        Verdicts.FirstOrDefault(v => v.Kind == kind && v.Method == (method ?? Method.Ig) && !v.Converged);

    /// <summary>The verdict on whichever of the pair's methods checks completeness (IG, split IG) and did not converge; null when none.</summary>
    public ConvergenceVerdict? NotConverged(PairAgreement pair) =>
        new[] { pair.First, pair.Second }.Where(m => m.HasCompleteness).Select(m => NotConverged(pair.Space, m)).FirstOrDefault(v => v is not null);

    /// <summary>Whether a pair's agreement is evidence: neither method is an unconverged IG (or split IG) of that kind.</summary>
    public bool IsEvidence(PairAgreement pair) => NotConverged(pair) is null;

    /// <summary>
    /// A whole MLP layer is one component, so completeness makes its IG score F(a') − F(a), which is
    /// AP's too: their agreement is an identity, not evidence.
    /// </summary>
    public static bool EqualByConstruction(PairAgreement pair, PipelineOptions options) =>
        pair.Space == TargetSpace.Mlp && !options.Attribution.PerPosition && pair.First == Method.Ig && pair.Second == Method.Ap
        && options.Ig.Baseline == Baseline.Aligned;

    /// <param name="dtype">The number type the units were computed in: it sets the round-off allowance of the convergence verdict.</param>
    public static TaskAnalysis Of(TaskResult result, PipelineOptions options, TorchSharp.torch.ScalarType dtype = TorchSharp.torch.ScalarType.Float32)
    {
        bool noising = options.Attribution.Direction == Direction.Noising;
        var baseMetric = result.Batches.SelectMany(b => b.Metrics.Base).Select(v => new StatisticValue(v));
        var otherMetric = result.Batches.SelectMany(b => b.Metrics.Other).Select(v => new StatisticValue(v));
        var clean = Summary.Of(noising ? baseMetric : otherMetric);
        var corrupted = Summary.Of(noising ? otherMetric : baseMetric);

        var effects = result.Batches.SelectMany(b => b.Metrics.FullEffect).Select(Math.Abs).Order().ToList();
        double threshold = effects.Count == 0 ? 0 : NormalisedMinimumFraction * effects[effects.Count / 2];
        bool[] InPooled(BatchResult b) => b.Metrics.FullEffect.Select(e => Math.Abs(e) >= threshold && e != 0).ToArray();
        var exclusion = new NormalisedExclusion(threshold, result.Batches.Sum(b => InPooled(b).Count(keep => !keep)), effects.Count);

        var agreements = new List<PairAgreement>();
        foreach (var kind in options.Spaces)
            foreach (var (first, second) in options.MethodCatalogue.Pairs(options.Methods))
            {
                if (!first.Spaces.Contains(kind) || !second.Spaces.Contains(kind)) continue;
                var raw = PairAgreement.Compute(first, second, result.Batches.Select(b =>
                    new PairAgreement.BatchScores(b.Scores(first, kind)!, b.Scores(second, kind)!, b.Lengths, b.Rows)), kind, options.TopFraction, statistics: options.StatisticCatalogue);
                // The normalised view divides both methods by the same per-prompt denominator, the
                // metric's full-run change F(a') − F(a): per-prompt statistics are unchanged,
                // pooled ones stop being dominated by the prompts with the largest effects.
                var normalised = PairAgreement.Compute(first, second, result.Batches.Select(b =>
                {
                    var denominators = b.Metrics.FullEffect;
                    return new PairAgreement.BatchScores(b.Scores(first, kind)!.Normalised(denominators), b.Scores(second, kind)!.Normalised(denominators), b.Lengths, b.Rows, InPooled(b));
                }), kind, options.TopFraction, statistics: options.StatisticCatalogue);
                agreements.Add(raw with { Normalised = normalised });
            }

        var order = options.MethodCatalogue.ToList();
        var convergence = result.Batches.SelectMany(b => b.Methods.SelectMany(m => m.Completeness.Select(c => (m.Method, m.Space, c.Layer, c.Check))))
            .GroupBy(c => (c.Method, c.Space, c.Layer))
            .Select(g => new ConvergenceSummary(g.Key.Space, g.Key.Layer,
                g.SelectMany(c => c.Check.Delta).Max(Math.Abs), g.SelectMany(c => c.Check.Delta).Average(Math.Abs), g.SelectMany(c => c.Check.Expected).Max(Math.Abs),
                g.Min(c => c.Check.Steps), g.Max(c => c.Check.Steps)) { Method = g.Key.Method })
            .OrderBy(c => order.IndexOf(c.Method)).ThenBy(c => c.Kind.Order).ThenBy(c => c.Layer).ToList();

        var sweep = new List<SweepSummary>();
        foreach (var kind in options.SweepSpaces)
            foreach (var s in options.SweepScales)
            {
                var points = result.Batches.Select(b => (Batch: b, Point: b.Sweep(kind, s, options.MethodCatalogue))).ToList();
                sweep.Add(new SweepSummary(kind, s, options.MethodCatalogue.Pairs(options.MethodCatalogue.Swept).Select(pair => PairAgreement.Compute(pair.First, pair.Second,
                    points.Select(x => new PairAgreement.BatchScores(x.Point[pair.First], x.Point[pair.Second], x.Batch.Lengths, x.Batch.Rows)), kind, options.TopFraction,
                    statistics: options.StatisticCatalogue)).ToList()));
            }
        return new TaskAnalysis(result, clean, corrupted, agreements, convergence, sweep, exclusion) { Verdicts = Verdict(result, options, dtype) };
    }

    private static IReadOnlyList<ConvergenceVerdict> Verdict(TaskResult result, PipelineOptions options, TorchSharp.torch.ScalarType dtype)
    {
        double tolerance = options.Ig.Quadrature is IgQuadrature.Adaptive a ? a.Tolerance : EvidenceTolerance;
        var verdicts = new List<ConvergenceVerdict>();
        foreach (var method in options.Methods.Where(m => m.HasCompleteness))
        foreach (var kind in options.Spaces.Where(method.Spaces.Contains))
        {
            var unconverged = new List<int>();
            var allowanceOnly = new HashSet<int>();
            double worst = 0, worstAllowed = 0;
            int prompts = 0;
            foreach (var batch in result.Batches)
            {
                var ig = batch.Methods.FirstOrDefault(m => m.Space == kind && m.Method == method);
                if (ig is null) continue;
                prompts += batch.Rows.Length;
                double metricScale = batch.Metrics.Base.Concat(batch.Metrics.Other).Max(Math.Abs);
                var failed = new bool[batch.Rows.Length];
                foreach (var (_, check) in ig.Completeness)
                {
                    double floor = IntegratedGradients.AdaptiveEffectFloor * check.Expected.Max(Math.Abs);
                    for (int p = 0; p < batch.Rows.Length; p++)
                    {
                        double scale = Math.Max(Math.Abs(check.Expected[p]), floor);
                        double error = Math.Abs(check.Delta[p]);
                        double allowed = IntegratedGradients.AllowedError(tolerance, scale, metricScale, check.Mass?[p] ?? 0, dtype);
                        if (error <= allowed)
                        {
                            if (error > tolerance * scale)
                            {
                                allowanceOnly.Add(batch.Rows[p]);
                                worstAllowed = Math.Max(worstAllowed, error / Math.Max(scale, double.Epsilon));
                            }
                            continue;
                        }
                        failed[p] = true;
                        worst = Math.Max(worst, error / Math.Max(scale, double.Epsilon));
                    }
                }
                unconverged.AddRange(batch.Rows.Where((_, p) => failed[p]));
            }
            if (prompts > 0)
                verdicts.Add(new ConvergenceVerdict(kind, tolerance, prompts, unconverged.Order().ToList(), worst)
                {
                    WithinAllowanceRows = allowanceOnly.Except(unconverged).Order().ToList(),
                    WorstWithinAllowance = worstAllowed,
                    Method = method,
                });
        }
        return verdicts;
    }

    /// <summary>Mean score of a method for a kind over all prompts, by component (e.g. for heatmaps).</summary>
    public Dictionary<Target, double> MeanScores(Method method, TargetSpace kind)
    {
        var sums = new Dictionary<Target, (double Sum, int Count)>();
        foreach (var batch in Result.Batches)
        {
            if (batch.Scores(method, kind) is not { } set) continue;
            for (int j = 0; j < set.Targets.Count; j++)
            {
                // Per-position scores add up to the component's total for the prompt.
                var c = set.Targets[j] with { Position = null };
                for (int p = 0; p < set.Prompts; p++)
                {
                    var (sum, count) = sums.GetValueOrDefault(c);
                    sums[c] = (sum + set[p, j], count + (set.Targets[j].Position is null or 0 ? 1 : 0));
                }
            }
        }
        return sums.ToDictionary(kv => kv.Key, kv => kv.Value.Sum / Math.Max(1, kv.Value.Count));
    }
}
