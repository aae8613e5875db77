using Concord.Methods.Attribution;
using Concord.Methods.Quadrature;
using Concord.Model;
using Concord.Model.Edges;
using static TorchSharp.torch;

namespace Concord.Methods.Edges;

/// <summary>
/// IG at edges along the mask path: IG_e = ∫₀¹ ∂F/∂θ_e(α·1) dα, ∂F/∂θ_e = (z̃_u − z_u(run_α)) ·
/// ∂F/∂x_v(run_α), so Σ_e IG_e = F(1) − F(0) = m(other) − m(base) (completeness). Integrated by
/// the adaptive composite rule of node IG (<see cref="AdaptiveComposite"/>): [0, 1] in
/// <see cref="AdaptiveComposite.InitialPieces"/> pieces of <see cref="AdaptiveComposite.NodesPerPiece"/>
/// Gauss–Legendre nodes, a piece bisected while its local completeness Σ_e IG_e(piece) −
/// (F(α₁) − F(α₀)) exceeds its share of the allowed error, every evaluation kept, until each
/// prompt's completeness error is within the rule every IG check applies
/// (<see cref="IntegratedGradients.AllowedError"/>) or the node cap is reached.
/// </summary>
public static class EdgeIntegratedGradients
{
    public const string Id = "ig";

    private sealed record Piece(double Start, double End, Tensor Sum, double[] Total, double[] Mass, double[] Expected)
    {
        public double Error(int prompt) => Total[prompt] - Expected[prompt];
    }

    public static EdgeScores Attribute(EdgeContext context, double tolerance = 1e-3, int cap = 512)
    {
        if (!(tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "the IG tolerance must be positive");
        using var scope = NewDisposeScope();
        int batch = context.Batch;
        var dtype = context.Model.DType;
        var rule = GaussLegendre.OnUnitInterval(AdaptiveComposite.NodesPerPiece);
        var metricAt = new Dictionary<double, double[]> { [0] = context.BaseMetric, [1] = context.EndMetric };
        double metricScale = metricAt[0].Concat(metricAt[1]).Max(Math.Abs);
        var expected = metricAt[1].Zip(metricAt[0], (a, b) => a - b).ToArray();
        double floor = IntegratedGradients.AdaptiveEffectFloor * expected.Max(Math.Abs);
        int evaluations = 0;

        void Metrics(IEnumerable<double> alphas)
        {
            var missing = alphas.Where(a => !metricAt.ContainsKey(a)).Distinct().ToArray();
            if (missing.Length == 0) return;
            var alpha = tensor(missing.SelectMany(a => Enumerable.Repeat(a, batch)).ToArray(), dtype: dtype, device: context.Model.Device);
            var values = context.Metric(new EdgeMask.Uniform(alpha), missing.Length);
            for (int i = 0; i < missing.Length; i++) metricAt[missing[i]] = values[(i * batch)..((i + 1) * batch)];
        }

        Piece Integrate(double from, double to)
        {
            double h = to - from;
            var sum = Integrand(context, rule.Nodes.Select(t => from + h * t).ToArray(), rule.Weights.Select(x => h * x).ToArray());
            evaluations += AdaptiveComposite.NodesPerPiece;
            var total = sum.sum(1).ToDoubles();
            var mass = sum.abs().sum(1).ToDoubles();
            return new Piece(from, to, sum.MoveToOuterDisposeScope(), total, mass, metricAt[to].Zip(metricAt[from], (a, b) => a - b).ToArray());
        }

        double Allowed(int prompt, double share, double mass) =>
            share * IntegratedGradients.AllowedError(tolerance, Math.Max(Math.Abs(expected[prompt]), floor), metricScale, mass, dtype);

        var ends = Enumerable.Range(0, AdaptiveComposite.InitialPieces + 1).Select(i => (double)i / AdaptiveComposite.InitialPieces).ToList();
        Metrics(ends);
        var pieces = ends.Zip(ends.Skip(1), Integrate).ToList();
        string? stopped = null;
        while (true)
        {
            var total = Enumerable.Range(0, batch).Select(p => pieces.Sum(x => x.Total[p])).ToArray();
            var mass = Enumerable.Range(0, batch).Select(p => pieces.Sum(x => x.Mass[p])).ToArray();
            var failingPrompts = Enumerable.Range(0, batch).Where(p => Math.Abs(total[p] - expected[p]) > Allowed(p, 1, mass[p])).ToList();
            if (failingPrompts.Count == 0) break;
            var failing = pieces.Where(x => failingPrompts.Any(p => Math.Abs(x.Error(p)) > Allowed(p, x.End - x.Start, x.Mass[p]))).ToList();
            // Errors of opposite sign can cancel piece by piece yet not overall: then the worst piece is refined.
            if (failing.Count == 0) failing = [pieces.MaxBy(x => failingPrompts.Max(p => Math.Abs(x.Error(p))))!];
            if (evaluations + 2 * AdaptiveComposite.NodesPerPiece * failing.Count > cap)
            {
                double worst = failingPrompts.Max(p => Math.Abs(total[p] - expected[p]) / Math.Max(Math.Max(Math.Abs(expected[p]), floor), double.Epsilon));
                stopped = FormattableString.Invariant($"the completeness error is {worst:G3} of |ΔF| at the cap of {cap} nodes");
                break;
            }
            Metrics(failing.Select(x => (x.Start + x.End) / 2));
            var next = new List<Piece>();
            foreach (var piece in pieces)
            {
                if (!failing.Contains(piece)) { next.Add(piece); continue; }
                double mid = (piece.Start + piece.End) / 2;
                next.Add(Integrate(piece.Start, mid));
                next.Add(Integrate(mid, piece.End));
                piece.Sum.Dispose();
            }
            pieces = next;
        }
        var scores = pieces.Select(x => x.Sum).Aggregate((a, b) => a + b);
        var totals = Enumerable.Range(0, batch).Select(p => pieces.Sum(x => x.Total[p])).ToArray();
        var masses = Enumerable.Range(0, batch).Select(p => pieces.Sum(x => x.Mass[p])).ToArray();
        var completeness = new EdgeCompleteness(evaluations, totals, expected, masses, pieces.Select(x => (x.Start, x.End)).ToList(), stopped is null, stopped);
        return new EdgeScores(Id, context.Graph, EdgeScores.ToArray(scores), completeness);
    }

    /// <summary>Σ_k w_k ∂F/∂θ_e(α_k·1) per prompt and edge [batch, E], the nodes stacked along the batch within the memory budget.</summary>
    public static Tensor Integrand(EdgeContext context, IReadOnlyList<double> alphas, IReadOnlyList<double> weights)
    {
        using var scope = NewDisposeScope();
        var runs = context.Runs;
        int batch = context.Batch;
        int perChunk = Math.Max(1, context.RecordedRowsPerChunk() / batch);
        Tensor? sum = null;
        for (int from = 0; from < alphas.Count; from += perChunk)
        {
            using var chunk = NewDisposeScope();
            int count = Math.Min(perChunk, alphas.Count - from);
            var alpha = tensor(alphas.Skip(from).Take(count).SelectMany(a => Enumerable.Repeat(a, batch)).ToArray(), dtype: context.Model.DType, device: context.Model.Device);
            var other = context.OtherRepeated(count);
            var (_, gradients, deltas) = EdgeGradients.AtRun(context, runs.BaseTokens.Tokens.RepeatAlongBatch(count), runs.BaseTokens.LastPositions.repeat(count),
                other, new EdgeMask.Uniform(alpha), count, keepDeltas: true);
            var scores = gradients.Scores(context.Graph, deltas!);
            var weighted = ReceiverGradients.Sum(scores, tensor(weights.Skip(from).Take(count).ToArray(), dtype: scores.dtype, device: scores.device));
            sum = (sum is null ? weighted : sum + weighted).MoveToOuterDisposeScope();
        }
        return sum!.MoveToOuterDisposeScope();
    }
}
