using Concord.Methods.Components;
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
/// <param name="points">The quadrature; the context's rule and step count when null.</param>
/// <param name="corruptionScale">s of the similarity sweep: the path ends at a + s(a' − a) instead of a'; a' itself when null.</param>
public sealed class IntegratedGradients(QuadraturePoints? points = null, double? corruptionScale = null) : IAttributionMethod
{
    public Method Method => Method.Ig;

    public MethodResult Attribute(AttributionContext context, ComponentKind kind) => MethodResult.FromLayers(Method.Ig, kind,
        Enumerable.Range(0, context.Model.Config.NLayer).Select(l => Layer(context, kind, l, points, corruptionScale)));

    /// <param name="quadrature">Nodes and weights; the context's rule and step count when null.</param>
    /// <param name="scale">End the path at a + scale·(a' − a) instead of a' (the similarity sweep); a' when null.</param>
    public static LayerScores Layer(AttributionContext context, ComponentKind kind, int layer, QuadraturePoints? quadrature = null, double? scale = null)
    {
        using var scope = NewDisposeScope();
        var options = context.Options;
        var q = quadrature ?? QuadraturePoints.For(options.Rule, options.Steps);
        var layout = new ComponentLayout(kind, context.Model.Config);
        var a = context.BaseActivation(layout, layer);
        var target = context.PatchedIn(layout, layer, scale);
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
        return new LayerScores(layer, ScoreSet.FromLayer(Method.Ig, kind, layer, scores), new Completeness(q.Count, total.ToDoubles(), expected.ToDoubles()));
    }

    /// <summary>Raises the step count (doubling from <paramref name="initialSteps"/>) until |completeness error| ≤ tolerance for every prompt.</summary>
    public static LayerScores Adaptive(AttributionContext context, ComponentKind kind, int layer, double tolerance,
        int initialSteps = 4, int maxSteps = 512)
    {
        int steps = initialSteps;
        while (true)
        {
            var result = Layer(context, kind, layer, QuadraturePoints.For(context.Options.Rule, steps));
            if (result.Completeness!.MaxAbsDelta <= tolerance || steps * 2 > maxSteps) return result;
            steps *= 2;
        }
    }
}
