using Concord.Methods.Components;
using Concord.Methods.Quadrature;
using Concord.Methods.Results;
using Concord.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Attribution;

/// <summary>
/// IG by adaptive composite Gauss–Legendre quadrature. The path's α-interval [0, 1] is split at the
/// given breakpoints (the similarity sweep's s) and then bisected where needed; each piece carries
/// a <see cref="NodesPerPiece"/>-node rule, and its <i>local completeness</i> Σ_i IG_i(piece) −
/// (F(α₁) − F(α₀)) is its error estimate (F at piece ends is one forward each, shared by
/// neighbours). Pieces whose error exceeds their share of τ·|F(end) − F(start)| are bisected, every
/// evaluation already made kept, until every prompt's completeness error, over the whole path and up
/// to each breakpoint, is within τ. A fixed node count wastes nodes where F is flat and starves the
/// stretch where it flips (a confident model flips its answer over a short part of the path); the
/// composite rule puts the nodes there.
/// </summary>
public static class AdaptiveComposite
{
    /// <summary>Nodes per piece: 4 Gauss–Legendre nodes integrate polynomials of degree 7 exactly, so a smooth piece's error falls as its length to the 8th power.</summary>
    public const int NodesPerPiece = 4;

    /// <summary>The first split: [0, 1] in this many equal pieces (then cut at the breakpoints), so a flip inside one half is seen by its own piece.</summary>
    public const int InitialPieces = 2;

    /// <summary>Split IG's last stretch of each prompt: [From, To] inside one piece, by a 4-node rule with each prompt's own ends (From = To: none).</summary>
    private sealed record Tail(double[] From, double[] To, Tensor GradientSum, double[] Total, double[] Expected, double[] Mass)
    {
        public double Error(int prompt) => Total[prompt] - Expected[prompt];
    }

    /// <summary>IG over the whole path and up to each breakpoint, with what it cost.</summary>
    /// <param name="Prefixes">IG from α = 0 to each breakpoint s (the sweep's IG at scale s), with its own completeness against F(s) − F(0).</param>
    /// <param name="Evaluations">Gradient evaluations (quadrature nodes) per prompt.</param>
    /// <param name="Forwards">Forward-only evaluations of F per prompt: at piece ends, and split IG's search for its split points.</param>
    /// <param name="Pieces">The pieces the path ended in (start, end).</param>
    /// <param name="Stopped">Null when τ was met; else why refinement stopped short of it (the float round-off of F reached, or the cap).</param>
    /// <param name="Split">Split IG (<see cref="Method.IgSplit"/>) when a split fraction was asked for: each prompt's IG up to its own split point, with completeness against F there.</param>
    public sealed record Outcome(LayerScores Full, IReadOnlyList<(double Scale, LayerScores Scores)> Prefixes, int Evaluations, int Forwards,
        IReadOnlyList<(double Start, double End)> Pieces, string? Stopped = null, LayerScores? Split = null);

    /// <summary>
    /// Split IG's split point is where the prompt's progress (F(α) − F(0)) / (F(1) − F(0)) first reaches
    /// r, found to within this much progress: between the last α IG evaluated below r and the first at
    /// or above it, by false position (forwards only, one stacked run of the batch per step).
    /// </summary>
    public const double SplitTolerance = 1e-3;

    /// <summary>The search also ends when its bracket is narrower than this (in α): progress that noise keeps from the tolerance has then been located as finely as matters.</summary>
    public const double SplitResolution = 1e-6;

    /// <summary>False-position steps allowed per split point: far more than a smooth bracket needs (Illinois: the end kept twice in a row has its weight halved, so both ends move).</summary>
    public const int SplitSteps = 40;

    /// <summary>
    /// A stretch whose error two successive bisections lowered by less than this factor each, while
    /// within <see cref="NoiseMultiple"/> of the float round-off of F, has met that round-off: it is
    /// not refined further (on a smooth path a bisection lowers a 4-node piece's error about 256-fold).
    /// </summary>
    public const double StallFactor = 1.5;

    /// <summary>
    /// How far above the round-off estimate a stalled error may be and still count as round-off. Far
    /// above it, a bisection that does not help is resolving a sharp flip (the error moves before it
    /// falls), and refinement goes on.
    /// </summary>
    public const double NoiseMultiple = 100;

    private sealed class Piece(double start, double end, Tensor gradientSum, double[] total, double[] expected, double[] mass)
    {
        /// <summary>How many bisections in a row, ending in this piece, failed to lower the error of their stretch by <see cref="StallFactor"/>.</summary>
        public int Stalls { get; set; }
        public double WorstError => Enumerable.Range(0, Total.Length).Max(p => Math.Abs(Error(p)));
        public double Start { get; } = start;
        public double End { get; } = end;
        public Tensor GradientSum { get; } = gradientSum;
        public double[] Total { get; } = total;
        public double[] Expected { get; } = expected;
        public double[] Mass { get; } = mass;
        public double Error(int prompt) => Total[prompt] - Expected[prompt];
        public double Length => End - Start;
    }

    /// <summary>
    /// One layer: every prompt's completeness error within <paramref name="tolerance"/> ×
    /// max(|F(e) − F(0)|, ε) + r over [0, e] for e = 1 and every breakpoint (ε and r as in
    /// <see cref="IntegratedGradients.Adaptive"/>); at most <paramref name="cap"/> gradient evaluations.
    /// Refinement stops early when two successive refinements no longer lower the error by
    /// <see cref="StallFactor"/> (the float round-off of F is reached: waiting for the cap would only
    /// cost time), or at the cap; the result is then returned with <see cref="Outcome.Stopped"/> saying
    /// why, and its completeness error above τ marks it unconverged wherever it is reported.
    /// </summary>
    /// <param name="roundOffAllowance">Scales the float round-off allowance r (1 as stated; 0 holds the error to τ alone, which tests use to reach a float floor on purpose).</param>
    /// <param name="split">
    /// Split IG's fraction r (<see cref="Outcome.Split"/>): each prompt's split point is where F first
    /// covers r of F(1) − F(0) on the evaluated grid (1 when F(1) = F(0)): inside the bracket from the
    /// last α the rule evaluated F at below r to the first at or above it, to within
    /// <see cref="SplitTolerance"/> of progress (a crossing between two evaluated points both below r is
    /// not seen; where F's round-off keeps progress from the tolerance, the search ends on a bracket
    /// narrower than <see cref="SplitResolution"/>, at its upper end). Its IG
    /// is the pieces before the split's piece plus that piece's stretch up to the split, integrated by its
    /// own 4-node rule with each prompt's ends (one stacked evaluation for the batch); the completeness
    /// over [0, split] is held to τ like any checked end. Null for none (the grid is then exactly what it
    /// was without split IG).
    /// </param>
    public static Outcome Layer(AttributionContext context, ComponentKind kind, int layer, double tolerance, Baseline baseline = Baseline.Aligned,
        int cap = 4096, IReadOnlyList<double>? breakpoints = null, double roundOffAllowance = 1, double? split = null)
    {
        if (!(tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "the IG tolerance must be positive");
        if (split is double r0 && !(r0 > 0 && r0 <= 1)) throw new ArgumentOutOfRangeException(nameof(split), r0, "split IG's fraction lies in (0, 1]");
        using var scope = NewDisposeScope();
        var layout = new ComponentLayout(kind, context.Model.Config);
        var a = context.BaseActivation(layout, layer);
        var target = context.PatchedIn(layout, layer, null);
        var start = baseline == Baseline.Zero ? zeros_like(a) : a;
        bool aligned = baseline == Baseline.Aligned;
        var delta = target - start;
        int b = (int)a.shape[0];
        var dtype = context.Model.DType;
        var rule = GaussLegendre.OnUnitInterval(NodesPerPiece);

        var ends = (breakpoints ?? []).Where(s => s > 0 && s < 1).Concat(Enumerable.Range(0, InitialPieces + 1).Select(i => (double)i / InitialPieces))
            .Distinct().Order().ToList();
        var checks = (breakpoints ?? []).Where(s => s > 0 && s < 1).Append(1.0).Distinct().Order().ToList();
        var metricAt = new Dictionary<double, double[]>();
        var path = new List<(double Alpha, double[] Metric)>();
        int forwards = 0, evaluations = 0;

        void Metrics(IReadOnlyList<double> alphas)
        {
            var missing = alphas.Where(x => !metricAt.ContainsKey(x)).Distinct().ToArray();
            if (missing.Length == 0) return;
            using var s = NewDisposeScope();
            // The ends themselves, not start + 1·delta: F(1) is then exactly the other run's value at this hook.
            var points = stack(missing.Select(x => x == 0 ? start : x == 1 ? target : start + x * delta).ToArray()).reshape([missing.Length * b, .. a.shape[1..]]);
            var values = context.MetricFrom(layout, layer, points, missing.Length, prefixUnchanged: aligned).ToDoubles();
            for (int i = 0; i < missing.Length; i++) metricAt[missing[i]] = values[(i * b)..((i + 1) * b)];
            forwards += missing.Length;
        }

        Piece Integrate(double from, double to)
        {
            using var s = NewDisposeScope();
            double h = to - from;
            var sum = IntegratedGradients.WeightedGradientSum(context, layout, layer, start, delta,
                rule.Nodes.Select(t => from + h * t).ToArray(), rule.Weights.Select(w => h * w).ToArray(), aligned, path);
            evaluations += NodesPerPiece;
            var attributions = delta * sum;
            var total = attributions.flatten(1).sum(1).ToDoubles();
            var mass = attributions.flatten(1).abs().sum(1).ToDoubles();
            var expected = metricAt[to].Zip(metricAt[from], (x, y) => x - y).ToArray();
            return new Piece(from, to, sum.MoveToOuterDisposeScope(), total, expected, mass);
        }

        Metrics(ends);
        var pieces = ends.Zip(ends.Skip(1), Integrate).ToList();
        double metricScale = context.BaseMetric.ToDoubles().Concat(context.OtherMetric.ToDoubles()).Max(Math.Abs);
        string? stopped = null;
        // Split IG's last stretch per prompt, from the piece end before its split point to the split point.
        Tail? tail = null;

        // F at every α evaluated: piece ends and quadrature nodes (those of pieces later bisected too: F there is F all the same).
        Dictionary<double, double[]> Known()
        {
            var known = new Dictionary<double, double[]>(metricAt);
            foreach (var (alpha, metric) in path) known.TryAdd(alpha, metric);
            return known;
        }

        // The split point of each prompt with F there, kept while its bracket stays the same.
        var bracketOf = new (double Low, double High)[b];
        var splitAlpha = new double[b];
        var splitMetric = new double[b];

        // F at one α per prompt: one stacked run of the batch.
        double[] MetricAtEach(double[] alphas)
        {
            using var s = NewDisposeScope();
            var broadcast = Enumerable.Repeat(1L, (int)a.dim() - 1).Prepend(b).ToArray();
            var points = start + tensor(alphas, dtype: a.dtype, device: a.device).view(broadcast) * delta;
            forwards++;
            return context.MetricFrom(layout, layer, points, 1, prefixUnchanged: aligned).ToDoubles();
        }

        // Each prompt's split point on the present grid, and the piece start it is integrated from.
        (double[] From, double[] To) SplitPoints(double r)
        {
            var known = Known();
            var evaluated = known.Keys.Order().ToList();
            var starts = pieces.Select(x => x.Start).ToList();
            var searching = new List<int>();
            var (lowAlpha, lowProgress, highAlpha, highProgress, highMetric) = (new double[b], new double[b], new double[b], new double[b], new double[b]);
            for (int p = 0; p < b; p++)
            {
                double f0 = metricAt[0][p], range = metricAt[1][p] - f0;
                if (range == 0 || !double.IsFinite(range)) { (bracketOf[p], splitAlpha[p], splitMetric[p]) = ((1, 1), 1, metricAt[1][p]); continue; }
                double Progress(double x) => (known[x][p] - f0) / range;
                // F(1) itself has covered the whole range, so the first α at or above r always exists; α = 0 is below it.
                int high = evaluated.FindIndex(x => x == 1 || Progress(x) >= r);
                var bracket = (evaluated[high - 1], evaluated[high]);
                if (bracket == bracketOf[p] && splitAlpha[p] > 0) continue;
                bracketOf[p] = bracket;
                (lowAlpha[p], lowProgress[p], highAlpha[p], highProgress[p], highMetric[p]) =
                    (bracket.Item1, Progress(bracket.Item1), bracket.Item2, Progress(bracket.Item2), known[bracket.Item2][p]);
                if (highProgress[p] - r <= SplitTolerance) (splitAlpha[p], splitMetric[p]) = (highAlpha[p], highMetric[p]);
                else searching.Add(p);
            }
            // False position (Illinois) inside each bracket, every searching prompt in the same stacked run.
            var (lowWeight, highWeight) = (Enumerable.Repeat(1.0, b).ToArray(), Enumerable.Repeat(1.0, b).ToArray());
            var lastSide = new int[b];
            for (int step = 0; step < SplitSteps && searching.Count > 0; step++)
            {
                var alphas = (double[])splitAlpha.Clone();
                foreach (int p in searching)
                {
                    double lo = (lowProgress[p] - r) * lowWeight[p], hi = (highProgress[p] - r) * highWeight[p];
                    alphas[p] = lowAlpha[p] + (highAlpha[p] - lowAlpha[p]) * (-lo / (hi - lo));
                    if (!(alphas[p] > lowAlpha[p] && alphas[p] < highAlpha[p])) alphas[p] = (lowAlpha[p] + highAlpha[p]) / 2;
                }
                for (int p = 0; p < b; p++) if (!(alphas[p] > 0)) alphas[p] = 1;
                var values = MetricAtEach(alphas);
                foreach (int p in searching.ToList())
                {
                    double f0 = metricAt[0][p], progress = (values[p] - f0) / (metricAt[1][p] - f0);
                    // Where F's range is near its round-off, progress is noise and may never come within the tolerance:
                    // the search then ends when the bracket is narrower than SplitResolution, at its upper end (F there covers r).
                    if (Math.Abs(progress - r) <= SplitTolerance || step == SplitSteps - 1 || highAlpha[p] - lowAlpha[p] <= SplitResolution)
                    {
                        (splitAlpha[p], splitMetric[p]) = Math.Abs(progress - r) <= SplitTolerance || progress >= r ? (alphas[p], values[p]) : (highAlpha[p], highMetric[p]);
                        searching.Remove(p);
                        continue;
                    }
                    // The side kept twice in a row has its weight halved, so the far end moves too (Illinois).
                    if (progress < r) { (lowAlpha[p], lowProgress[p]) = (alphas[p], progress); if (lastSide[p] == -1) highWeight[p] /= 2; else highWeight[p] = 1; lastSide[p] = -1; lowWeight[p] = 1; }
                    else { (highAlpha[p], highProgress[p], highMetric[p]) = (alphas[p], progress, values[p]); if (lastSide[p] == 1) lowWeight[p] /= 2; else lowWeight[p] = 1; lastSide[p] = 1; highWeight[p] = 1; }
                }
            }
            var (from, to) = (new double[b], new double[b]);
            for (int p = 0; p < b; p++)
            {
                to[p] = splitAlpha[p];
                // A piece end needs no stretch of its own (from = to); else the stretch starts at the start of the piece the split lies in.
                from[p] = to[p] == 1 ? 1 : starts.Last(x => x <= to[p]);
            }
            return (from, to);
        }

        // F at a prompt's split point or at a piece start.
        double MetricOf(int p, double alpha) => alpha == splitAlpha[p] ? splitMetric[p] : metricAt[alpha][p];

        Tail IntegrateTail(double[] from, double[] to)
        {
            using var s = NewDisposeScope();
            var expected = Enumerable.Range(0, b).Select(p => from[p] == to[p] ? 0 : MetricOf(p, to[p]) - metricAt[from[p]][p]).ToArray();
            if (from.SequenceEqual(to)) return new Tail(from, to, zeros_like(start).MoveToOuterDisposeScope(), new double[b], expected, new double[b]);
            var nodes = rule.Nodes.Select(t => Enumerable.Range(0, b).Select(p => from[p] + (to[p] - from[p]) * t).ToArray()).ToArray();
            var weights = rule.Weights.Select(w => Enumerable.Range(0, b).Select(p => (to[p] - from[p]) * w).ToArray()).ToArray();
            var sum = IntegratedGradients.PerPromptWeightedGradientSum(context, layout, layer, start, delta, nodes, weights, aligned);
            evaluations += NodesPerPiece;
            var attributions = delta * sum;
            return new Tail(from, to, sum.MoveToOuterDisposeScope(), attributions.flatten(1).sum(1).ToDoubles(), expected, attributions.flatten(1).abs().sum(1).ToDoubles());
        }

        while (true)
        {
            var failing = new HashSet<Piece>();
            double worst = 0;
            // The error allowed and the error reached over [0, e] for one prompt; the pieces to refine when it is missed.
            // Split IG's [0, e] is the pieces up to the tail's start plus the tail, whose error counts against the piece it lies in.
            void Check(int p, double e, double effect, double floor, (Piece Parent, double Error, double Mass)? last = null)
            {
                var within = pieces.Where(x => x.End <= (last is { } t ? t.Parent.Start : e)).Select(x => (Piece: x, Error: x.Error(p), Length: x.Length)).ToList();
                if (last is { } tailOf) within.Add((tailOf.Parent, tailOf.Error, e - tailOf.Parent.Start));
                double mass = within.Sum(x => x.Piece.Mass[p]) - (last is { } m ? m.Parent.Mass[p] - m.Mass : 0);
                double scaleOf = Math.Max(Math.Abs(effect), floor);
                double allowed = IntegratedGradients.AllowedError(tolerance, scaleOf, metricScale, mass, dtype, roundOffAllowance);
                double reached = Math.Abs(within.Sum(x => x.Error));
                if (reached <= allowed) return;
                worst = Math.Max(worst, reached / Math.Max(scaleOf, double.Epsilon));
                // A piece is refined when its own error exceeds its share (by length) of what [0, e] may have.
                var over = within.Where(x => Math.Abs(x.Error) > allowed * x.Length / e).Select(x => x.Piece).ToList();
                failing.UnionWith(over.Count > 0 ? over : [within.MaxBy(x => Math.Abs(x.Error)).Piece]);
            }
            foreach (var e in checks)
            {
                var effect = Enumerable.Range(0, b).Select(p => metricAt[e][p] - metricAt[0][p]).ToArray();
                double floor = IntegratedGradients.AdaptiveEffectFloor * effect.Max(Math.Abs);
                for (int p = 0; p < b; p++) Check(p, e, effect[p], floor);
            }
            // Split IG: each prompt's [0, split] held to τ like any checked end.
            if (split is double r)
            {
                var (from, to) = SplitPoints(r);
                if (tail is null || !tail.From.SequenceEqual(from) || !tail.To.SequenceEqual(to))
                {
                    tail?.GradientSum.Dispose();
                    tail = IntegrateTail(from, to);
                }
                var effect = Enumerable.Range(0, b).Select(p => MetricOf(p, to[p]) - metricAt[0][p]).ToArray();
                double floor = IntegratedGradients.AdaptiveEffectFloor * effect.Max(Math.Abs);
                for (int p = 0; p < b; p++)
                    Check(p, to[p], effect[p], floor, from[p] == to[p] ? null : (pieces.Single(x => x.Start == from[p]), tail.Error(p), tail.Mass[p]));
            }
            if (failing.Count == 0) break;
            // Stretches whose refinement no longer lowers the error have met the float round-off of F: waiting for the cap would only cost time.
            failing.RemoveWhere(x => x.Stalls >= 2);
            if (failing.Count == 0)
            {
                stopped = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"the completeness error stays at {worst:G3} of |ΔF| after {evaluations} nodes: {(dtype == ScalarType.Float64 ? "float64" : "float32")} round-off of F limits it");
                break;
            }
            if (evaluations + 2 * NodesPerPiece * failing.Count > cap)
            {
                stopped = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the completeness error is {worst:G3} of |ΔF| at the cap of {cap} nodes");
                break;
            }
            var midpoints = failing.Select(x => (x.Start + x.End) / 2).ToList();
            Metrics(midpoints);
            foreach (var piece in failing.OrderBy(x => x.Start))
            {
                double mid = (piece.Start + piece.End) / 2;
                int at = pieces.IndexOf(piece);
                var (left, right) = (Integrate(piece.Start, mid), Integrate(mid, piece.End));
                double after = Enumerable.Range(0, b).Max(p => Math.Abs(left.Error(p)) + Math.Abs(right.Error(p)));
                // The round-off itself, whatever allowance the caller asked for.
                double noise = IntegratedGradients.AllowedError(0, 0, metricScale, piece.Mass.Max(), dtype);
                left.Stalls = right.Stalls = after > piece.WorstError / StallFactor && after < NoiseMultiple * noise ? piece.Stalls + 1 : 0;
                pieces[at] = left;
                pieces.Insert(at + 1, right);
                piece.GradientSum.Dispose();
            }
        }

        LayerScores Upto(double e)
        {
            var within = pieces.Where(p => p.End <= e).ToList();
            var sum = within.Select(p => p.GradientSum).Aggregate((x, y) => x + y);
            var attributions = delta * sum;
            var scores = layout.SumToComponents(attributions, context.Options.PerPosition);
            var total = attributions.flatten(1).sum(1).ToDoubles();
            var mass = attributions.flatten(1).abs().sum(1).ToDoubles();
            var expected = metricAt[e].Zip(metricAt[0], (x, y) => x - y).ToArray();
            return new LayerScores(layer, ScoreSet.FromLayer(Method.Ig, kind, layer, scores), new Completeness(evaluations, total, expected, mass));
        }

        // Split IG: each prompt's pieces before its tail (a 0/1 mask per piece and prompt), plus the tail.
        LayerScores SplitScores(Tail last, MetricPath along)
        {
            var broadcast = Enumerable.Repeat(1L, (int)a.dim() - 1).Prepend(b).ToArray();
            var sum = pieces.Select(x => x.GradientSum * tensor(last.From.Select(e => x.End <= e ? 1.0 : 0.0).ToArray(), dtype: a.dtype, device: a.device).view(broadcast))
                .Aggregate(last.GradientSum, (x, y) => x + y);
            var attributions = delta * sum;
            var scores = layout.SumToComponents(attributions, context.Options.PerPosition);
            var total = attributions.flatten(1).sum(1).ToDoubles();
            var mass = attributions.flatten(1).abs().sum(1).ToDoubles();
            var expected = Enumerable.Range(0, b).Select(p => MetricOf(p, last.To[p]) - metricAt[0][p]).ToArray();
            return new LayerScores(layer, ScoreSet.FromLayer(Method.IgSplit, kind, layer, scores),
                new Completeness(evaluations, total, expected, mass) { Path = along, Ends = last.To });
        }

        // Nodes of pieces later bisected stay on the path: F there was evaluated all the same.
        var metricPath = MetricPath.From(path.Concat(metricAt.Select(m => (m.Key, m.Value))));
        var whole = Upto(1);
        var full = whole with { Completeness = whole.Completeness! with { Path = metricPath } };
        var prefixes = checks.Where(e => e < 1).Select(e => (e, Upto(e))).ToList();
        var splitScores = tail is null ? null : SplitScores(tail, metricPath);
        return new Outcome(full, prefixes, evaluations, forwards, pieces.Select(p => (p.Start, p.End)).ToList(), stopped, splitScores);
    }
}
