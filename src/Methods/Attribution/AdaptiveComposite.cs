using Concord.Methods.Targets;
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
    public static Outcome Layer(AttributionContext context, TargetSpace kind, int layer, double tolerance, Baseline baseline = Baseline.Aligned,
        int cap = 4096, IReadOnlyList<double>? breakpoints = null, double roundOffAllowance = 1, double? split = null)
    {
        if (!(tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "the IG tolerance must be positive");
        if (split is double r0 && !(r0 > 0 && r0 <= 1)) throw new ArgumentOutOfRangeException(nameof(split), r0, "split IG's fraction lies in (0, 1]");
        using var scope = NewDisposeScope();
        return new Integration(context, kind, layer, tolerance, baseline, cap, breakpoints ?? [], roundOffAllowance, split).Run();
    }

    /// <summary>
    /// One layer's integration in named steps: F at the piece ends, the first pieces, then rounds of
    /// checking every checked end (and split IG's) and bisecting the pieces that miss their share,
    /// until none does or refinement stops; then the scores. Lives inside the caller's dispose scope.
    /// </summary>
    private sealed class Integration
    {
        private readonly AttributionContext _context;
        private readonly TargetSpace _kind;
        private readonly int _layer;
        private readonly double _tolerance;
        private readonly int _cap;
        private readonly double _roundOffAllowance;
        private readonly double? _split;
        private readonly ComponentLayout _layout;
        private readonly Tensor _a, _target, _start, _delta;
        private readonly bool _aligned;
        private readonly int _b;
        private readonly ScalarType _dtype;
        private readonly QuadraturePoints _rule;
        private readonly List<double> _ends, _checks;
        private readonly Dictionary<double, double[]> _metricAt = new();
        private readonly List<(double Alpha, double[] Metric)> _path = new();
        private int _forwards, _evaluations;
        private List<Piece> _pieces = [];
        private double _metricScale;
        private string? _stopped;
        // Split IG's last stretch per prompt, from the piece end before its split point to the split point.
        private Tail? _tail;
        // The split point of each prompt with F there, kept while its bracket stays the same.
        private readonly (double Low, double High)[] _bracketOf;
        private readonly double[] _splitAlpha, _splitMetric;

        public Integration(AttributionContext context, TargetSpace kind, int layer, double tolerance, Baseline baseline, int cap,
            IReadOnlyList<double> breakpoints, double roundOffAllowance, double? split)
        {
            (_context, _kind, _layer, _tolerance, _cap, _roundOffAllowance, _split) = (context, kind, layer, tolerance, cap, roundOffAllowance, split);
            _layout = new ComponentLayout(kind, context.Model.Config);
            _a = context.BaseActivation(_layout, layer);
            _target = context.PatchedIn(_layout, layer, null);
            _start = baseline == Baseline.Zero ? zeros_like(_a) : _a;
            _aligned = baseline == Baseline.Aligned;
            _delta = _target - _start;
            _b = (int)_a.shape[0];
            _dtype = context.Model.DType;
            _rule = GaussLegendre.OnUnitInterval(NodesPerPiece);
            _ends = breakpoints.Where(s => s > 0 && s < 1).Concat(Enumerable.Range(0, InitialPieces + 1).Select(i => (double)i / InitialPieces))
                .Distinct().Order().ToList();
            _checks = breakpoints.Where(s => s > 0 && s < 1).Append(1.0).Distinct().Order().ToList();
            _bracketOf = new (double, double)[_b];
            _splitAlpha = new double[_b];
            _splitMetric = new double[_b];
        }

        public Outcome Run()
        {
            Metrics(_ends);
            _pieces = _ends.Zip(_ends.Skip(1), Integrate).ToList();
            _metricScale = _context.BaseMetric.ToDoubles().Concat(_context.OtherMetric.ToDoubles()).Max(Math.Abs);
            while (true)
            {
                var refinement = Check();
                if (refinement.Failing.Count == 0) break;
                // Stretches whose refinement no longer lowers the error have met the float round-off of F: waiting for the cap would only cost time.
                refinement.Failing.RemoveWhere(x => x.Stalls >= 2);
                if (refinement.Failing.Count == 0)
                {
                    _stopped = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"the completeness error stays at {refinement.Worst:G3} of |ΔF| after {_evaluations} nodes: {(_dtype == ScalarType.Float64 ? "float64" : "float32")} round-off of F limits it");
                    break;
                }
                if (_evaluations + 2 * NodesPerPiece * refinement.Failing.Count > _cap)
                {
                    _stopped = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the completeness error is {refinement.Worst:G3} of |ΔF| at the cap of {_cap} nodes");
                    break;
                }
                Bisect(refinement.Failing);
            }
            return Result();
        }

        /// <summary>F at each α not yet evaluated, in one stacked run.</summary>
        private void Metrics(IReadOnlyList<double> alphas)
        {
            var missing = alphas.Where(x => !_metricAt.ContainsKey(x)).Distinct().ToArray();
            if (missing.Length == 0) return;
            using var s = NewDisposeScope();
            // The ends themselves, not start + 1·delta: F(1) is then exactly the other run's value at this hook.
            var points = stack(missing.Select(x => x == 0 ? _start : x == 1 ? _target : _start + x * _delta).ToArray()).reshape([missing.Length * _b, .. _a.shape[1..]]);
            var values = _context.MetricFrom(_layout, _layer, points, missing.Length, prefixUnchanged: _aligned).ToDoubles();
            for (int i = 0; i < missing.Length; i++) _metricAt[missing[i]] = values[(i * _b)..((i + 1) * _b)];
            _forwards += missing.Length;
        }

        /// <summary>One piece [from, to] by the 4-node rule, with its local completeness.</summary>
        private Piece Integrate(double from, double to)
        {
            using var s = NewDisposeScope();
            double h = to - from;
            var sum = IntegratedGradients.WeightedGradientSum(_context, _layout, _layer, _start, _delta,
                _rule.Nodes.Select(t => from + h * t).ToArray(), _rule.Weights.Select(w => h * w).ToArray(), _aligned, _path);
            _evaluations += NodesPerPiece;
            var attributions = _delta * sum;
            var total = attributions.flatten(1).sum(1).ToDoubles();
            var mass = attributions.flatten(1).abs().sum(1).ToDoubles();
            var expected = _metricAt[to].Zip(_metricAt[from], (x, y) => x - y).ToArray();
            return new Piece(from, to, sum.MoveToOuterDisposeScope(), total, expected, mass);
        }

        /// <summary>The pieces that miss their share of τ at some checked end (and split IG's), and the worst error reached.</summary>
        private sealed class Refinement
        {
            public HashSet<Piece> Failing { get; } = [];
            public double Worst { get; set; }
        }

        private Refinement Check()
        {
            var refinement = new Refinement();
            foreach (var e in _checks)
            {
                var effect = Enumerable.Range(0, _b).Select(p => _metricAt[e][p] - _metricAt[0][p]).ToArray();
                double floor = IntegratedGradients.AdaptiveEffectFloor * effect.Max(Math.Abs);
                for (int p = 0; p < _b; p++) CheckEnd(refinement, p, e, effect[p], floor);
            }
            // Split IG: each prompt's [0, split] held to τ like any checked end.
            if (_split is double r)
            {
                var (from, to) = SplitPoints(r);
                if (_tail is null || !_tail.From.SequenceEqual(from) || !_tail.To.SequenceEqual(to))
                {
                    _tail?.GradientSum.Dispose();
                    _tail = IntegrateTail(from, to);
                }
                var effect = Enumerable.Range(0, _b).Select(p => MetricOf(p, to[p]) - _metricAt[0][p]).ToArray();
                double floor = IntegratedGradients.AdaptiveEffectFloor * effect.Max(Math.Abs);
                for (int p = 0; p < _b; p++)
                    CheckEnd(refinement, p, to[p], effect[p], floor, from[p] == to[p] ? null : (_pieces.Single(x => x.Start == from[p]), _tail.Error(p), _tail.Mass[p]));
            }
            return refinement;
        }

        /// <summary>
        /// The error allowed and the error reached over [0, e] for one prompt; the pieces to refine when it is missed.
        /// Split IG's [0, e] is the pieces up to the tail's start plus the tail, whose error counts against the piece it lies in.
        /// </summary>
        private void CheckEnd(Refinement refinement, int p, double e, double effect, double floor, (Piece Parent, double Error, double Mass)? last = null)
        {
            var within = _pieces.Where(x => x.End <= (last is { } t ? t.Parent.Start : e)).Select(x => (Piece: x, Error: x.Error(p), Length: x.Length)).ToList();
            if (last is { } tailOf) within.Add((tailOf.Parent, tailOf.Error, e - tailOf.Parent.Start));
            double mass = within.Sum(x => x.Piece.Mass[p]) - (last is { } m ? m.Parent.Mass[p] - m.Mass : 0);
            double scaleOf = Math.Max(Math.Abs(effect), floor);
            double allowed = IntegratedGradients.AllowedError(_tolerance, scaleOf, _metricScale, mass, _dtype, _roundOffAllowance);
            double reached = Math.Abs(within.Sum(x => x.Error));
            if (reached <= allowed) return;
            refinement.Worst = Math.Max(refinement.Worst, reached / Math.Max(scaleOf, double.Epsilon));
            // A piece is refined when its own error exceeds its share (by length) of what [0, e] may have.
            var over = within.Where(x => Math.Abs(x.Error) > allowed * x.Length / e).Select(x => x.Piece).ToList();
            refinement.Failing.UnionWith(over.Count > 0 ? over : [within.MaxBy(x => Math.Abs(x.Error)).Piece]);
        }

        /// <summary>Each failing piece in two halves (F at the midpoints in one stacked run), counting the bisections that stopped helping.</summary>
        private void Bisect(HashSet<Piece> failing)
        {
            var midpoints = failing.Select(x => (x.Start + x.End) / 2).ToList();
            Metrics(midpoints);
            foreach (var piece in failing.OrderBy(x => x.Start))
            {
                double mid = (piece.Start + piece.End) / 2;
                int at = _pieces.IndexOf(piece);
                var (left, right) = (Integrate(piece.Start, mid), Integrate(mid, piece.End));
                double after = Enumerable.Range(0, _b).Max(p => Math.Abs(left.Error(p)) + Math.Abs(right.Error(p)));
                // The round-off itself, whatever allowance the caller asked for.
                double noise = IntegratedGradients.AllowedError(0, 0, _metricScale, piece.Mass.Max(), _dtype);
                left.Stalls = right.Stalls = after > piece.WorstError / StallFactor && after < NoiseMultiple * noise ? piece.Stalls + 1 : 0;
                _pieces[at] = left;
                _pieces.Insert(at + 1, right);
                piece.GradientSum.Dispose();
            }
        }

        /// <summary>F at every α evaluated: piece ends and quadrature nodes (those of pieces later bisected too: F there is F all the same).</summary>
        private Dictionary<double, double[]> Known()
        {
            var known = new Dictionary<double, double[]>(_metricAt);
            foreach (var (alpha, metric) in _path) known.TryAdd(alpha, metric);
            return known;
        }

        /// <summary>F at one α per prompt: one stacked run of the batch.</summary>
        private double[] MetricAtEach(double[] alphas)
        {
            using var s = NewDisposeScope();
            var broadcast = Enumerable.Repeat(1L, (int)_a.dim() - 1).Prepend(_b).ToArray();
            var points = _start + tensor(alphas, dtype: _a.dtype, device: _a.device).view(broadcast) * _delta;
            _forwards++;
            return _context.MetricFrom(_layout, _layer, points, 1, prefixUnchanged: _aligned).ToDoubles();
        }

        /// <summary>Each searching prompt's bracket around progress r: the ends' α, progress and (at the high end) F.</summary>
        private sealed class Brackets(int prompts)
        {
            public double[] LowAlpha { get; } = new double[prompts];
            public double[] LowProgress { get; } = new double[prompts];
            public double[] HighAlpha { get; } = new double[prompts];
            public double[] HighProgress { get; } = new double[prompts];
            public double[] HighMetric { get; } = new double[prompts];
        }

        /// <summary>Each prompt's split point on the present grid, and the piece start it is integrated from.</summary>
        private (double[] From, double[] To) SplitPoints(double r)
        {
            var brackets = new Brackets(_b);
            var searching = Bracket(r, brackets);
            FalsePosition(r, brackets, searching);
            var starts = _pieces.Select(x => x.Start).ToList();
            var (from, to) = (new double[_b], new double[_b]);
            for (int p = 0; p < _b; p++)
            {
                to[p] = _splitAlpha[p];
                // A piece end needs no stretch of its own (from = to); else the stretch starts at the start of the piece the split lies in.
                from[p] = to[p] == 1 ? 1 : starts.Last(x => x <= to[p]);
            }
            return (from, to);
        }

        /// <summary>
        /// The evaluated α on either side of each prompt's crossing of r; prompts whose bracket is
        /// unchanged keep their split point, and a bracket whose upper end is within the tolerance is
        /// the split. Returns the prompts still to search.
        /// </summary>
        private List<int> Bracket(double r, Brackets brackets)
        {
            var known = Known();
            var evaluated = known.Keys.Order().ToList();
            var searching = new List<int>();
            for (int p = 0; p < _b; p++)
            {
                double f0 = _metricAt[0][p], range = _metricAt[1][p] - f0;
                if (range == 0 || !double.IsFinite(range)) { (_bracketOf[p], _splitAlpha[p], _splitMetric[p]) = ((1, 1), 1, _metricAt[1][p]); continue; }
                double Progress(double x) => (known[x][p] - f0) / range;
                // F(1) itself has covered the whole range, so the first α at or above r always exists; α = 0 is below it.
                int high = evaluated.FindIndex(x => x == 1 || Progress(x) >= r);
                var bracket = (evaluated[high - 1], evaluated[high]);
                if (bracket == _bracketOf[p] && _splitAlpha[p] > 0) continue;
                _bracketOf[p] = bracket;
                (brackets.LowAlpha[p], brackets.LowProgress[p], brackets.HighAlpha[p], brackets.HighProgress[p], brackets.HighMetric[p]) =
                    (bracket.Item1, Progress(bracket.Item1), bracket.Item2, Progress(bracket.Item2), known[bracket.Item2][p]);
                if (brackets.HighProgress[p] - r <= SplitTolerance) (_splitAlpha[p], _splitMetric[p]) = (brackets.HighAlpha[p], brackets.HighMetric[p]);
                else searching.Add(p);
            }
            return searching;
        }

        /// <summary>False position (Illinois) inside each bracket, every searching prompt in the same stacked run.</summary>
        private void FalsePosition(double r, Brackets k, List<int> searching)
        {
            var (lowWeight, highWeight) = (Enumerable.Repeat(1.0, _b).ToArray(), Enumerable.Repeat(1.0, _b).ToArray());
            var lastSide = new int[_b];
            for (int step = 0; step < SplitSteps && searching.Count > 0; step++)
            {
                var alphas = (double[])_splitAlpha.Clone();
                foreach (int p in searching)
                {
                    double lo = (k.LowProgress[p] - r) * lowWeight[p], hi = (k.HighProgress[p] - r) * highWeight[p];
                    alphas[p] = k.LowAlpha[p] + (k.HighAlpha[p] - k.LowAlpha[p]) * (-lo / (hi - lo));
                    if (!(alphas[p] > k.LowAlpha[p] && alphas[p] < k.HighAlpha[p])) alphas[p] = (k.LowAlpha[p] + k.HighAlpha[p]) / 2;
                }
                for (int p = 0; p < _b; p++) if (!(alphas[p] > 0)) alphas[p] = 1;
                var values = MetricAtEach(alphas);
                foreach (int p in searching.ToList())
                {
                    double f0 = _metricAt[0][p], progress = (values[p] - f0) / (_metricAt[1][p] - f0);
                    // Where F's range is near its round-off, progress is noise and may never come within the tolerance:
                    // the search then ends when the bracket is narrower than SplitResolution, at its upper end (F there covers r).
                    if (Math.Abs(progress - r) <= SplitTolerance || step == SplitSteps - 1 || k.HighAlpha[p] - k.LowAlpha[p] <= SplitResolution)
                    {
                        (_splitAlpha[p], _splitMetric[p]) = Math.Abs(progress - r) <= SplitTolerance || progress >= r ? (alphas[p], values[p]) : (k.HighAlpha[p], k.HighMetric[p]);
                        searching.Remove(p);
                        continue;
                    }
                    // The side kept twice in a row has its weight halved, so the far end moves too (Illinois).
                    if (progress < r) { (k.LowAlpha[p], k.LowProgress[p]) = (alphas[p], progress); if (lastSide[p] == -1) highWeight[p] /= 2; else highWeight[p] = 1; lastSide[p] = -1; lowWeight[p] = 1; }
                    else { (k.HighAlpha[p], k.HighProgress[p], k.HighMetric[p]) = (alphas[p], progress, values[p]); if (lastSide[p] == 1) lowWeight[p] /= 2; else lowWeight[p] = 1; lastSide[p] = 1; highWeight[p] = 1; }
                }
            }
        }

        /// <summary>F at a prompt's split point or at a piece start.</summary>
        private double MetricOf(int p, double alpha) => alpha == _splitAlpha[p] ? _splitMetric[p] : _metricAt[alpha][p];

        /// <summary>Split IG's stretch of each prompt from its piece's start to its split point, by a 4-node rule of the prompt's own ends.</summary>
        private Tail IntegrateTail(double[] from, double[] to)
        {
            using var s = NewDisposeScope();
            var expected = Enumerable.Range(0, _b).Select(p => from[p] == to[p] ? 0 : MetricOf(p, to[p]) - _metricAt[from[p]][p]).ToArray();
            if (from.SequenceEqual(to)) return new Tail(from, to, zeros_like(_start).MoveToOuterDisposeScope(), new double[_b], expected, new double[_b]);
            var nodes = _rule.Nodes.Select(t => Enumerable.Range(0, _b).Select(p => from[p] + (to[p] - from[p]) * t).ToArray()).ToArray();
            var weights = _rule.Weights.Select(w => Enumerable.Range(0, _b).Select(p => (to[p] - from[p]) * w).ToArray()).ToArray();
            var sum = IntegratedGradients.PerPromptWeightedGradientSum(_context, _layout, _layer, _start, _delta, nodes, weights, _aligned);
            _evaluations += NodesPerPiece;
            var attributions = _delta * sum;
            return new Tail(from, to, sum.MoveToOuterDisposeScope(), attributions.flatten(1).sum(1).ToDoubles(), expected, attributions.flatten(1).abs().sum(1).ToDoubles());
        }

        /// <summary>The scores over [0, 1] (with the metric path), up to each breakpoint, and split IG's.</summary>
        private Outcome Result()
        {
            // Nodes of pieces later bisected stay on the path: F there was evaluated all the same.
            var metricPath = MetricPath.From(_path.Concat(_metricAt.Select(m => (m.Key, m.Value))));
            var whole = Upto(1);
            var full = whole with { Completeness = whole.Completeness! with { Path = metricPath } };
            var prefixes = _checks.Where(e => e < 1).Select(e => (e, Upto(e))).ToList();
            var splitScores = _tail is null ? null : SplitScores(_tail, metricPath);
            return new Outcome(full, prefixes, _evaluations, _forwards, _pieces.Select(p => (p.Start, p.End)).ToList(), _stopped, splitScores);
        }

        private LayerScores Upto(double e)
        {
            var within = _pieces.Where(p => p.End <= e).ToList();
            var sum = within.Select(p => p.GradientSum).Aggregate((x, y) => x + y);
            var attributions = _delta * sum;
            var scores = _layout.SumToComponents(attributions, _context.Options.PerPosition);
            var total = attributions.flatten(1).sum(1).ToDoubles();
            var mass = attributions.flatten(1).abs().sum(1).ToDoubles();
            var expected = _metricAt[e].Zip(_metricAt[0], (x, y) => x - y).ToArray();
            return new LayerScores(_layer, ScoreSet.FromLayer(Method.Ig.Id(), _kind, _layer, scores), new Completeness(_evaluations, total, expected, mass));
        }

        /// <summary>Split IG: each prompt's pieces before its tail (a 0/1 mask per piece and prompt), plus the tail.</summary>
        private LayerScores SplitScores(Tail last, MetricPath along)
        {
            var broadcast = Enumerable.Repeat(1L, (int)_a.dim() - 1).Prepend(_b).ToArray();
            var sum = _pieces.Select(x => x.GradientSum * tensor(last.From.Select(e => x.End <= e ? 1.0 : 0.0).ToArray(), dtype: _a.dtype, device: _a.device).view(broadcast))
                .Aggregate(last.GradientSum, (x, y) => x + y);
            var attributions = _delta * sum;
            var scores = _layout.SumToComponents(attributions, _context.Options.PerPosition);
            var total = attributions.flatten(1).sum(1).ToDoubles();
            var mass = attributions.flatten(1).abs().sum(1).ToDoubles();
            var expected = Enumerable.Range(0, _b).Select(p => MetricOf(p, last.To[p]) - _metricAt[0][p]).ToArray();
            return new LayerScores(_layer, ScoreSet.FromLayer(Method.IgSplit.Id(), _kind, _layer, scores),
                new Completeness(_evaluations, total, expected, mass) { Path = along, Ends = last.To });
        }
    }
}
