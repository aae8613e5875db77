using Concord.Methods.Targets;
using Concord.Methods.Quadrature;
using Concord.Methods.Results;
using Concord.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Attribution;

/// <summary>
/// Integrated gradients at a hook: IG_i = (end − start)_i · ∫₀¹ ∂F/∂x_i(start + α(end − start)) dα,
/// with start = a (aligned baseline) or 0 (zero baseline) and end = a'. A component's score is the
/// sum over its slice. All quadrature nodes are stacked along the batch (chunked to the memory
/// budget) and run from the hook onward; one backward pass per chunk.
/// </summary>
/// <param name="settings">Quadrature and baseline (<see cref="IgSettings.Default"/> when null).</param>
/// <param name="corruptionScale">s of the similarity sweep: the path ends at a + s(a' − a) instead of a'; a' itself when null.</param>
public sealed class IntegratedGradients(IgSettings? settings = null, double? corruptionScale = null) : IAttributionMethod
{
    public IgSettings Settings { get; } = settings ?? IgSettings.Default;

    public Method Method => Method.Ig;

    public MethodResult Attribute(AttributionContext context, TargetSpace kind) => MethodResult.FromLayers(Method.Ig, kind,
        Enumerable.Range(0, context.Model.Config.NLayer).Select(l => AsConfigured(context, kind, l, Settings, corruptionScale)));

    /// <summary>
    /// One layer with the given settings: a fixed rule, or the adaptive composite rule. The composite
    /// rule integrates the whole path once per context, kind and layer (<see cref="AttributionContext.Memo"/>):
    /// the sweep's IG at scale s is the part of that integral left of s, from the same evaluations.
    /// </summary>
    public static LayerScores AsConfigured(AttributionContext context, TargetSpace kind, int layer, IgSettings settings, double? scale = null)
    {
        switch (settings.Quadrature)
        {
            case IgQuadrature.Fixed f:
                return Layer(context, kind, layer, f.Points, settings.Baseline, scale);
            case IgQuadrature.Adaptive a:
                var outcome = Composite(context, kind, layer, settings, a, scale);
                return scale is double at && at < 1 ? outcome.Prefixes.Single(p => p.Scale == at).Scores : outcome.Full;
            default:
                throw new ArgumentOutOfRangeException(nameof(settings), settings.Quadrature, "unknown IG quadrature");
        }
    }

    /// <summary>The composite rule's integral of one context, kind and layer, computed once and shared by IG, its sweep points and split IG.</summary>
    internal static AdaptiveComposite.Outcome Composite(AttributionContext context, TargetSpace kind, int layer, IgSettings settings, IgQuadrature.Adaptive a, double? scale = null)
    {
        var cuts = scale is double s && s < 1 && !a.Cuts.Contains(s) ? [.. a.Cuts, s] : a.Cuts;
        return context.Memo($"ig-composite|{kind.Id()}|{layer}|{(settings with { Quadrature = a with { Breakpoints = cuts } }).Id()}",
            () => AdaptiveComposite.Layer(context, kind, layer, a.Tolerance, settings.Baseline, a.Cap, cuts, split: a.Split));
    }

    /// <param name="q">Nodes and weights.</param>
    /// <param name="baseline">Where the path starts: a (aligned) or 0.</param>
    /// <param name="scale">End the path at a + scale·(a' − a) instead of a' (the similarity sweep); a' when null.</param>
    public static LayerScores Layer(AttributionContext context, TargetSpace kind, int layer, QuadraturePoints q, Baseline baseline = Baseline.Aligned, double? scale = null)
    {
        using var scope = NewDisposeScope();
        var options = context.Options;
        var layout = new ComponentLayout(kind, context.Model.Config);
        var a = context.BaseActivation(layout, layer);
        var target = context.PatchedIn(layout, layer, scale);
        var start = baseline == Baseline.Zero ? zeros_like(a) : a;
        // From the aligned baseline the whole path equals a before the first differing token; from zero it does not.
        bool aligned = baseline == Baseline.Aligned;
        var delta = target - start;
        long b = a.shape[0];
        var path = new List<(double, double[])>();
        var gradientSum = WeightedGradientSum(context, layout, layer, start, delta, q.Nodes, q.Weights, aligned, path);

        var attributions = delta * gradientSum;
        var scores = layout.SumToComponents(attributions, options.PerPosition);
        var total = attributions.flatten(1).sum(1);
        var mass = attributions.flatten(1).abs().sum(1);
        var ends = context.MetricFrom(layout, layer, stack([start, target]).reshape([2 * b, .. a.shape[1..]]), 2, prefixUnchanged: aligned).view(2, b);
        var expected = ends[1] - ends[0];
        path.Add((0, ends[0].ToDoubles()));
        path.Add((1, ends[1].ToDoubles()));
        return new LayerScores(layer, ScoreSet.FromLayer(Method.Ig.Id(), kind, layer, scores),
            new Completeness(q.Count, total.ToDoubles(), expected.ToDoubles(), mass.ToDoubles()) { Path = MetricPath.From(path) });
    }

    /// <summary>
    /// Σ_j w_j ∂F/∂x(start + α_j·delta) for the given nodes, the stacked gradient evaluations chunked
    /// to the memory budget (one backward pass per chunk). The shape of <paramref name="start"/>.
    /// </summary>
    /// <param name="path">When given, receives F at every node (α, per prompt): computed for the gradient anyway.</param>
    internal static Tensor WeightedGradientSum(AttributionContext context, ComponentLayout layout, int layer, Tensor start, Tensor delta,
        double[] nodes, double[] weights, bool aligned, List<(double Alpha, double[] Metric)>? path = null)
    {
        var broadcast = Enumerable.Repeat(1L, (int)start.dim()).Prepend(-1).ToArray();   // [k, 1, 1, ...]
        return GradientSum(context, layout, layer, start, delta, nodes.Length, aligned, (first, k) =>
            (tensor(nodes[first..(first + k)], dtype: start.dtype, device: start.device).view(broadcast),
             tensor(weights[first..(first + k)], dtype: start.dtype, device: start.device).view(broadcast)),
            path is null ? null : (j, values) => path.Add((nodes[j], values)));
    }

    /// <summary>
    /// As <see cref="WeightedGradientSum"/>, with nodes and weights of each prompt's own:
    /// <paramref name="nodes"/>[j][p] is prompt p's j-th node (split IG's last stretch ends at a different α per prompt).
    /// </summary>
    internal static Tensor PerPromptWeightedGradientSum(AttributionContext context, ComponentLayout layout, int layer, Tensor start, Tensor delta,
        double[][] nodes, double[][] weights, bool aligned)
    {
        var broadcast = Enumerable.Repeat(1L, (int)start.dim() - 1).Prepend(start.shape[0]).Prepend(-1).ToArray();   // [k, b, 1, ...]
        return GradientSum(context, layout, layer, start, delta, nodes.Length, aligned, (first, k) =>
            (tensor(nodes[first..(first + k)].SelectMany(x => x).ToArray(), dtype: start.dtype, device: start.device).view(broadcast),
             tensor(weights[first..(first + k)].SelectMany(x => x).ToArray(), dtype: start.dtype, device: start.device).view(broadcast)));
    }

    /// <summary>The stacked gradient evaluations of <paramref name="count"/> nodes, chunked; <paramref name="chunkOf"/> gives a chunk's α and weights, broadcastable against [k, b, ...].</summary>
    private static Tensor GradientSum(AttributionContext context, ComponentLayout layout, int layer, Tensor start, Tensor delta, int count, bool aligned,
        Func<int, int, (Tensor Alphas, Tensor Weights)> chunkOf, Action<int, double[]>? record = null)
    {
        long b = start.shape[0];
        var gradientSum = zeros_like(start);
        int chunk = Math.Max(1, context.RowsPerChunk(layer, withGradients: true) / (int)b);
        for (int first = 0; first < count; first += chunk)
        {
            using var chunkScope = NewDisposeScope();
            int k = Math.Min(chunk, count - first);
            var (alphas, w) = chunkOf(first, k);
            var x = (start.unsqueeze(0) + alphas * delta.unsqueeze(0)).reshape([k * b, .. start.shape[1..]]).detach().requires_grad_(true);
            var metric = context.MetricFrom(layout, layer, x, k, prefixUnchanged: aligned);
            // Prompts never interact, so the gradient of the summed metric is each prompt's own gradient.
            var gradient = torch.autograd.grad([metric.sum()], [x])[0].view([k, .. start.shape]);
            if (record is not null)
            {
                var values = metric.detach().ToDoubles();
                for (int j = 0; j < k; j++) record(first + j, values[(j * (int)b)..((j + 1) * (int)b)]);
            }
            // dim: named on purpose: a literal 0 would bind to sum(ScalarType) and sum everything into a byte.
            gradientSum.add_((gradient * w).sum(dim: 0));
        }
        return gradientSum;
    }

    /// <summary>Where `--steps auto` starts doubling: 4 Gauss–Legendre nodes are exact for polynomials of degree 7 along the path.</summary>
    public const int AdaptiveInitialSteps = 4;

    /// <summary>
    /// A prompt whose |F(end) − F(start)| is below this fraction of the batch's largest is held to
    /// the batch's scale: a relative error on a vanishing effect would demand accuracy below round-off.
    /// </summary>
    public const double AdaptiveEffectFloor = 1e-2;

    /// <summary>
    /// Round-off of the metric itself, relative to its size: F(end) − F(start) comes from two runs of
    /// the whole model, so it carries an absolute error of about this times |F|, which no quadrature
    /// gets below. Measured in float32 on concord-tasks-small's greater-than (F ≈ 0.93, a sum of 100
    /// probabilities over a 50,257-way softmax): the completeness error of whole MLP layers stays at
    /// 1.1e-4 (layer 0) and 1.3e-4 (layer 1) from 64 to 4096 nodes, so 5e-4 × |F|. float64: 1e-13.
    /// </summary>
    public static double MetricRoundOff(ScalarType dtype) => dtype == ScalarType.Float64 ? 1e-13 : 5e-4;

    /// <summary>
    /// The smallest τ a number type can honour: below the metric's own relative round-off
    /// (<see cref="MetricRoundOff"/>), a completeness error within τ·|ΔF| would be met only by the
    /// round-off allowance, never by the quadrature, so such a τ is refused before any work.
    /// </summary>
    public static double SmallestTolerance(ScalarType dtype) => MetricRoundOff(dtype);

    /// <summary>The allowance r in words and numbers, as the report, README and agreement.json state it.</summary>
    public static string RoundOffAllowanceText(ScalarType dtype) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"r = {MetricRoundOff(dtype):G2} × the batch's largest |F| + {GradientRoundOff(dtype):G2} × the prompt's Σ|IG_i| ({(dtype == ScalarType.Float64 ? "float64" : "float32")} round-off of F and of Σ IG)");

    /// <summary>
    /// Round-off of Σ IG relative to Σ |IG_i|: gradients through the model's long reductions (the
    /// softmax over the vocabulary, the metric's sums) carry about this relative error, so where
    /// attributions cancel, Σ IG cannot be trusted below this times their absolute mass.
    /// </summary>
    public static double GradientRoundOff(ScalarType dtype) => dtype == ScalarType.Float64 ? 1e-12 : 1e-4;

    /// <summary>
    /// The one completeness rule every IG check applies (the doubling, the composite rule, the
    /// convergence verdict): the error a prompt may have is τ·<paramref name="scale"/> (its
    /// |F(end) − F(start)|, floored at <see cref="AdaptiveEffectFloor"/> of the batch's largest) plus
    /// the float round-off of F (<see cref="MetricRoundOff"/> × <paramref name="metricScale"/>) and of
    /// Σ IG (<see cref="GradientRoundOff"/> × <paramref name="mass"/>), the round-off scaled by
    /// <paramref name="roundOffAllowance"/> (1 as stated).
    /// </summary>
    public static double AllowedError(double tolerance, double scale, double metricScale, double mass, ScalarType dtype, double roundOffAllowance = 1) =>
        tolerance * scale + roundOffAllowance * MetricRoundOff(dtype) * metricScale + roundOffAllowance * GradientRoundOff(dtype) * mass;

    /// <summary>
    /// The previous `--steps auto`, kept as the reference the composite rule is measured against:
    /// the smallest Gauss–Legendre node count of the doubling sequence <paramref name="initialSteps"/>, 2×, 4×, … whose completeness error is at most
    /// <paramref name="tolerance"/> × max(|F(end) − F(start)|, ε) + r for every prompt, ε being
    /// <see cref="AdaptiveEffectFloor"/> × the batch's largest |F(end) − F(start)| and r the metric's
    /// round-off (<see cref="MetricRoundOff"/> × the batch's largest |F(a)|, |F(a')|, plus
    /// <see cref="GradientRoundOff"/> × the prompt's Σ |IG_i|). A tolerance not
    /// met within <paramref name="maxSteps"/> is an error naming the layer, the error reached and the cap.
    /// </summary>
    public static LayerScores Adaptive(AttributionContext context, TargetSpace kind, int layer, double tolerance, Baseline baseline = Baseline.Aligned,
        int initialSteps = AdaptiveInitialSteps, int maxSteps = 4096, double? scale = null)
    {
        if (!(tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "the IG tolerance must be positive");
        double metricScale = context.BaseMetric.ToDoubles().Concat(context.OtherMetric.ToDoubles()).Max(Math.Abs);
        int steps = Math.Min(initialSteps, maxSteps);
        while (true)
        {
            var result = Layer(context, kind, layer, QuadraturePoints.For(QuadratureRule.GaussLegendre, steps), baseline, scale);
            var check = result.Completeness!;
            double floor = AdaptiveEffectFloor * check.Expected.Max(Math.Abs);
            var mass = check.Mass ?? new double[check.Delta.Length];
            bool met = Enumerable.Range(0, check.Delta.Length).All(p =>
                Math.Abs(check.Delta[p]) <= AllowedError(tolerance, Math.Max(Math.Abs(check.Expected[p]), floor), metricScale, mass[p], context.Model.DType));
            if (met) return result;
            if (steps * 2 > maxSteps)
            {
                double reached = check.Delta.Zip(check.Expected, (d, e) => Math.Abs(d) / Math.Max(Math.Max(Math.Abs(e), floor), double.Epsilon)).Max();
                throw new IgToleranceException(kind, layer, tolerance, reached, steps);
            }
            steps *= 2;
        }
    }
}
