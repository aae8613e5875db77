using Concord.Methods.Components;
using Concord.Methods.Quadrature;
using Concord.Methods.Results;
using Concord.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Attribution;

/// <summary>IG scores of one layer with the completeness check that goes with them.</summary>
public sealed record IgLayerResult(ScoreSet Scores, int Layer, int Steps, double[] Total, double[] Expected)
{
    /// <summary>Σ_c IG_c − (F(end) − F(start)) per prompt: the quadrature error (captum's convergence delta).</summary>
    public double[] ConvergenceDelta => Total.Zip(Expected, (t, e) => t - e).ToArray();
    public double MaxAbsConvergenceDelta => ConvergenceDelta.Max(Math.Abs);
}

/// <summary>
/// Integrated gradients at a hook: IG_i = (end − start)_i · ∫₀¹ ∂F/∂x_i(start + α(end − start)) dα,
/// with start = a (aligned baseline) or 0 (zero baseline) and end = a'. A component's score is the
/// sum over its slice. All quadrature nodes are stacked along the batch (chunked to the memory
/// budget) and run from the hook onward; one backward pass per chunk.
/// </summary>
public static class IntegratedGradients
{
    public static IgLayerResult Layer(AttributionContext context, ComponentKind kind, int layer,
        QuadraturePoints? points = null, Tensor? end = null)
    {
        using var scope = NewDisposeScope();
        var options = context.Options;
        var q = points ?? QuadraturePoints.For(options.Rule, options.Steps);
        var layout = new ComponentLayout(kind, context.Model.Config);
        var a = context.BaseActivation(layout, layer);
        var target = end ?? context.OtherActivation(layout, layer);
        var start = options.Baseline == Baseline.Zero ? zeros_like(a) : a;
        var delta = target - start;
        long b = a.shape[0];
        var broadcast = Enumerable.Repeat(1L, (int)a.dim()).Prepend(-1).ToArray();   // [k, 1, 1, ...]

        var gradientSum = zeros_like(a);
        int chunk = Math.Max(1, context.RowsPerChunk(layer, withGradients: true) / (int)b);
        for (int first = 0; first < q.Count; first += chunk)
        {
            using var chunkScope = NewDisposeScope();
            int k = Math.Min(chunk, q.Count - first);
            var alphas = tensor(q.Nodes[first..(first + k)], dtype: a.dtype, device: a.device).view(broadcast);
            var weights = tensor(q.Weights[first..(first + k)], dtype: a.dtype, device: a.device).view(broadcast);
            var x = (start.unsqueeze(0) + alphas * delta.unsqueeze(0)).reshape([k * b, .. a.shape[1..]]).detach().requires_grad_(true);
            var metric = context.MetricFrom(layout, layer, x, k);
            // Prompts never interact, so the gradient of the summed metric is each prompt's own gradient.
            var gradient = torch.autograd.grad([metric.sum()], [x])[0].view([k, .. a.shape]);
            // dim: named on purpose: a literal 0 would bind to sum(ScalarType) and sum everything into a byte.
            gradientSum.add_((gradient * weights).sum(dim: 0));
        }

        var attributions = delta * gradientSum;
        var scores = layout.SumToComponents(attributions, options.PerPosition);
        var total = attributions.flatten(1).sum(1);
        var ends = context.MetricFrom(layout, layer, stack([start, target]).reshape([2 * b, .. a.shape[1..]]), 2).view(2, b);
        var expected = ends[1] - ends[0];
        return new IgLayerResult(ScoreSet.FromLayer(Method.Ig, kind, layer, scores), layer, q.Count, total.ToDoubles(), expected.ToDoubles());
    }

    /// <summary>Raises the step count (doubling from <paramref name="initialSteps"/>) until |convergence delta| ≤ tolerance for every prompt.</summary>
    public static IgLayerResult Adaptive(AttributionContext context, ComponentKind kind, int layer, double tolerance,
        int initialSteps = 4, int maxSteps = 512, Tensor? end = null)
    {
        IgLayerResult result;
        int steps = initialSteps;
        while (true)
        {
            result = Layer(context, kind, layer, QuadraturePoints.For(context.Options.Rule, steps), end);
            if (result.MaxAbsConvergenceDelta <= tolerance || steps * 2 > maxSteps) return result;
            steps *= 2;
        }
    }

    public static IReadOnlyList<IgLayerResult> AllLayers(AttributionContext context, ComponentKind kind) =>
        Enumerable.Range(0, context.Model.Config.NLayer).Select(l => Layer(context, kind, l)).ToList();
}
