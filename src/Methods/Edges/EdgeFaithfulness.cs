using Concord.Methods.Verification;
using Concord.Model.Edges;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Edges;

/// <summary>
/// MIB's circuit faithfulness at edges: for each ranking and size k, m(C) with every edge outside
/// the pruned circuit C moved to z̃ (θ = 1 outside, 0 inside); f(k) = (m̄(C) − m̄(∅)) / (m̄(full) − m̄(∅)).
/// Circuits that coincide are run once, and the empty and the full circuit are never run: they
/// read m(∅) and m(full) themselves, so f is exactly 0 and 1 there, from the same numbers.
/// </summary>
public static class EdgeFaithfulness
{
    public const string RandomMethod = "random";
    public const int DefaultRandomRankings = 3;

    /// <summary>Resamples of the prompts behind each method's CPR interval (as for nodes).</summary>
    public const int BootstrapSamples = 1000;

    /// <param name="methods">Each method's prompt-mean score per edge (<see cref="EdgeScores.Mean"/>).</param>
    /// <param name="seed">Random ranking r is <see cref="Ranking.Random"/>(edges, seed + r).</param>
    public static EdgeFaithfulnessResult Evaluate(EdgeContext context, IReadOnlyList<(string Method, IReadOnlyList<double> MeanScores)> methods,
        int randomRankings = DefaultRandomRankings, int seed = 0, IReadOnlyList<double>? percentages = null)
    {
        var plan = EdgeFaithfulnessPlan.Of(context.Graph, context.Runs.Options.Direction, methods, randomRankings, seed, percentages);
        return Evaluate(plan, CircuitMetrics(context, plan.ToRun), context.BaseMetric, context.EndMetric);
    }

    /// <summary>
    /// The curves of a plan from m(C) of its circuits to run [circuit, prompt] and m(full), m(∅) per
    /// prompt, the prompts of every batch side by side (a study's batches are evaluated one by one);
    /// each method's CPR with a 95 % interval from <paramref name="bootstrapSamples"/> resamples of the
    /// prompts (the rankings and circuits stay fixed: the interval is the spread from which prompts were drawn).
    /// </summary>
    public static EdgeFaithfulnessResult Evaluate(EdgeFaithfulnessPlan plan, double[,] metrics, IReadOnlyList<double> fullMetric, IReadOnlyList<double> emptyMetric,
        int bootstrapSamples = BootstrapSamples, int seed = 0)
    {
        var graph = plan.Graph;
        int prompts = fullMetric.Count;
        if (emptyMetric.Count != prompts || metrics.GetLength(1) != prompts)
            throw new ArgumentException($"m(full) of {prompts} prompts, m(∅) of {emptyMetric.Count}, m(C) of {metrics.GetLength(1)}");
        var all = Enumerable.Range(0, prompts).ToArray();
        double full = fullMetric.Average(), empty = emptyMetric.Average(), span = full - empty;
        if (!Defined(full, empty))
            return new EdgeFaithfulnessResult(graph.EdgeCount, full, empty, [], null,
                FormattableString.Invariant($"moving every edge to z̃ moves the mean metric by {span:G3}: f is undefined"));

        // The curves over a draw of prompts (all of them once, or a bootstrap resample).
        List<EdgeFaithfulnessCurve> Curves(int[] draw, bool random)
        {
            double Mean(Func<int, double> of) => draw.Sum(of) / draw.Length;
            double f0 = Mean(p => emptyMetric[p]), f1 = Mean(p => fullMetric[p]);
            double Faithfulness(EdgeCircuit c)
            {
                if (c.EdgeCount == 0) return 0;
                if (c.EdgeCount == graph.EdgeCount) return 1;
                int row = plan.RowOf(c);
                return (Mean(p => metrics[row, p]) - f0) / (f1 - f0);
            }
            return plan.Curves.Where(p => (p.Method == RandomMethod) == random).Select(p => Summarise(p.Method, p.Ranking,
                p.Circuits.Select((c, i) => new EdgeCircuitRow(plan.Percentages[i], c.Requested, c.EdgeCount, c.Share, Faithfulness(c))).ToList(), graph.EdgeCount)).ToList();
        }

        var curves = Curves(all, random: false);
        if (bootstrapSamples > 0)
        {
            var resampled = curves.Select(_ => new double[bootstrapSamples]).ToList();
            var generator = new Random(seed);
            var draw = new int[prompts];
            for (int b = 0; b < bootstrapSamples; b++)
            {
                for (int i = 0; i < prompts; i++) draw[i] = generator.Next(prompts);
                bool defined = Defined(draw.Average(p => fullMetric[p]), draw.Average(p => emptyMetric[p]));
                var drawn = defined ? Curves(draw, random: false) : null;
                for (int c = 0; c < curves.Count; c++) resampled[c][b] = drawn?[c].Cpr ?? double.NaN;
            }
            curves = curves.Select((c, i) => c with { CprInterval = Interval.FromResamples(resampled[i]) }).ToList();
        }
        var randomCurves = Curves(all, random: true);
        var control = randomCurves.Count == 0 ? null
            : new EdgeRandomControl(plan.Seeds, randomCurves, randomCurves.Average(c => c.Cpr), randomCurves.Average(c => c.Cmd));
        return new EdgeFaithfulnessResult(graph.EdgeCount, full, empty, curves, control, null);
    }

    private static bool Defined(double full, double empty) => Math.Abs(full - empty) > 1e-9 * Math.Max(1, Math.Abs(full));

    /// <summary>Each method's curves from its scores' prompt means.</summary>
    public static EdgeFaithfulnessResult Evaluate(EdgeContext context, IEnumerable<EdgeScores> scores,
        int randomRankings = DefaultRandomRankings, int seed = 0, IReadOnlyList<double>? percentages = null) =>
        Evaluate(context, scores.Select(s => (s.Method, (IReadOnlyList<double>)s.Mean())).ToList(), randomRankings, seed, percentages);

    /// <summary>CPR and CMD of a curve's rows: the trapezoid over the real share, closed by (0, 0) and (1, 1).</summary>
    public static EdgeFaithfulnessCurve Summarise(string method, RankingKind ranking, IReadOnlyList<EdgeCircuitRow> rows, int edges)
    {
        // Top-k sets are nested and pruning keeps the largest valid subset, so a larger k never
        // keeps a smaller share: ordering by k orders by share.
        var points = rows.OrderBy(r => r.Requested).Select(r => new CurvePoint(r.Share, r.EdgeCount, r.Faithfulness))
            .Prepend(new CurvePoint(0, 0, 0)).Append(new CurvePoint(1, edges, 1)).ToList();
        return new EdgeFaithfulnessCurve(method, ranking, rows,
            FaithfulnessCurve.Area(points, f => f), FaithfulnessCurve.Area(points, f => Math.Abs(1 - f)));
    }

    /// <summary>
    /// m(C) [circuit, prompt]: every edge outside each circuit moved to z̃, the circuits stacked
    /// along the batch (row i·batch + b is circuit i on prompt b) in chunks within the memory budget.
    /// </summary>
    public static double[,] CircuitMetrics(EdgeContext context, IReadOnlyList<EdgeCircuit> circuits)
    {
        var graph = context.Graph;
        int batch = context.Batch, perChunk = Math.Max(1, RowsPerChunk(context) / batch);
        var result = new double[circuits.Count, batch];
        for (int from = 0; from < circuits.Count; from += perChunk)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(perChunk, circuits.Count - from);
            var theta = stack(circuits.Skip(from).Take(count).Select(c => Outside(graph, c, context))).unsqueeze(1)
                .expand(count, batch, graph.Senders.Count, graph.Receivers.Count).reshape(count * batch, graph.Senders.Count, graph.Receivers.Count);
            var metric = context.Metric(new EdgeMask.Dense(theta), count);
            for (int i = 0; i < count; i++)
                for (int b = 0; b < batch; b++) result[from + i, b] = metric[i * batch + b];
        }
        return result;
    }

    /// <summary>θ [S, R]: 1 on every edge outside the circuit.</summary>
    private static Tensor Outside(EdgeGraph graph, EdgeCircuit circuit, EdgeContext context) =>
        graph.Mask(Enumerable.Range(0, graph.EdgeCount).Where(e => !circuit.InGraph[e]), context.Model.DType, context.Model.Device);

    /// <summary>
    /// Stacked rows of an edge run (no gradients) that fit the memory budget: per row every
    /// sender's Δ twice (kept, and concatenated for each receiver group), one block's receiver
    /// inputs with their normalised copies, q/k/v/z and head results, the MLP and the pattern; plus θ.
    /// </summary>
    public static int RowsPerChunk(EdgeContext context)
    {
        var c = context.Model.Config;
        var graph = context.Graph;
        long element = context.Model.DType == ScalarType.Float64 ? 8 : 4, positions = context.Runs.BaseTokens.Width;
        long perPosition = (2L * graph.Senders.Count + 8L * c.NHead + 12) * c.NEmbd + 2L * c.DMlp + 2L * c.NHead * positions;
        long perRow = element * (positions * perPosition + (long)graph.Senders.Count * graph.Receivers.Count);
        return (int)Math.Clamp(context.Runs.Options.MemoryBudgetBytes / Math.Max(1, perRow), 1, int.MaxValue);
    }

    internal static string Key(EdgeCircuit circuit)
    {
        var bits = new byte[(circuit.Graph.EdgeCount + 7) / 8];
        for (int e = 0; e < circuit.Graph.EdgeCount; e++)
            if (circuit.InGraph[e]) bits[e >> 3] |= (byte)(1 << (e & 7));
        return Convert.ToBase64String(bits);
    }
}
