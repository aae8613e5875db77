using Concord.Methods.Components;
using Concord.Methods.Quadrature;
using Concord.Methods.Results;
using Concord.Model;
using Concord.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Attribution;

/// <summary>
/// The original notebook's algorithm in the same engine, kept as a reference for tests and as the
/// baseline of the benchmarks: one full-model forward (from the embedding, logits at every
/// position) for every AP patch and every IG step.
/// </summary>
public static class NaiveAttribution
{
    private static Tensor FullRunMetric(AttributionContext context, ComponentLayout layout, int layer, Tensor activation)
    {
        var hooks = (context.Options.FixedHooks ?? HookSet.Empty)
            .Concat(new HookSet().Replace(layout.Hook(layer), layout.ToHookValue(activation, context.Model.Weights, layer)));
        var logits = context.Model.Run(context.BaseTokens.Tokens, hooks);                 // [b, pos, vocab]
        context.RunsCounted++;
        var rows = arange(logits.shape[0], dtype: ScalarType.Int64, device: logits.device);
        return context.Metric.EvaluateBatch(logits[rows, context.BaseTokens.LastPositions]);
    }

    public static ScoreSet ActivationPatching(AttributionContext context, ComponentKind kind, int layer, IReadOnlyList<int>? indices = null)
    {
        using var scope = NewDisposeScope();
        var layout = new ComponentLayout(kind, context.Model.Config);
        var a = context.BaseActivation(layout, layer);
        var target = context.OtherActivation(layout, layer);
        var grouped = layout.Grouped(a);
        var groupedTarget = layout.Grouped(target);
        long b = grouped.shape[0], p = grouped.shape[1], perPos = grouped.shape[2];
        var components = Attribution.ActivationPatching.Patches(kind, layer, indices ?? Enumerable.Range(0, (int)perPos).ToArray(), (int)p, context.Options.PerPosition);
        var baseline = FullRunMetric(context, layout, layer, a);
        var effects = new double[b, components.Count];
        for (int patch = 0; patch < components.Count; patch++)
        {
            using var patchScope = NewDisposeScope();
            var mask = Attribution.ActivationPatching.Masks([components[patch]], p, perPos, a.device)[0];   // [1, pos, C, 1]
            var patched = where(mask, groupedTarget, grouped).reshape(a.shape);
            var effect = (FullRunMetric(context, layout, layer, patched) - baseline).ToDoubles();
            for (int row = 0; row < b; row++) effects[row, patch] = effect[row];
        }
        return new ScoreSet(Method.Ap, components, effects);
    }

    public static IgLayerResult IntegratedGradients(AttributionContext context, ComponentKind kind, int layer, QuadraturePoints? points = null)
    {
        using var scope = NewDisposeScope();
        var options = context.Options;
        var q = points ?? QuadraturePoints.For(options.Rule, options.Steps);
        var layout = new ComponentLayout(kind, context.Model.Config);
        var a = context.BaseActivation(layout, layer);
        var target = context.OtherActivation(layout, layer);
        var start = options.Baseline == Baseline.Zero ? zeros_like(a) : a;
        var delta = target - start;
        var gradientSum = zeros_like(a);
        for (int j = 0; j < q.Count; j++)
        {
            using var stepScope = NewDisposeScope();
            var x = (start + q.Nodes[j] * delta).detach().requires_grad_(true);
            var metric = FullRunMetric(context, layout, layer, x);
            gradientSum.add_(torch.autograd.grad([metric.sum()], [x])[0] * q.Weights[j]);
        }
        var attributions = delta * gradientSum;
        var scores = layout.SumToComponents(attributions, options.PerPosition);
        var expected = FullRunMetric(context, layout, layer, target) - FullRunMetric(context, layout, layer, start);
        return new IgLayerResult(ScoreSet.FromLayer(Method.Ig, kind, layer, scores), layer, q.Count,
            attributions.flatten(1).sum(1).ToDoubles(), expected.ToDoubles());
    }
}
