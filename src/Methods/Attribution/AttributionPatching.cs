using Concord.Methods.Components;
using Concord.Methods.Results;
using Concord.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Attribution;

/// <summary>
/// Attribution patching: AtP_c = Σ_{i∈c} Δ_i · ∂F/∂x_i(a), the first-order limit of both AP and IG.
/// One forward and one backward pass of the base run give the gradient at every hook of every layer.
/// </summary>
public static class AttributionPatching
{
    public static IReadOnlyList<ScoreSet> AllLayers(AttributionContext context, IReadOnlyList<ComponentKind> kinds)
    {
        using var scope = NewDisposeScope();
        var model = context.Model;
        var layouts = kinds.Select(k => new ComponentLayout(k, model.Config)).ToList();
        var wanted = new HashSet<HookPoint>();
        for (int l = 0; l < model.Config.NLayer; l++)
            foreach (var layout in layouts) wanted.Add(layout.Hook(l));

        var recorded = new Dictionary<HookPoint, Tensor>();
        var hooks = new HookSet()
            // A leaf that requires grad at the embedding makes every activation part of the graph.
            .Add(HookPoint.Embed, (v, _) => v.detach().requires_grad_(true));
        // The forward pass frees each block's tensors when the block ends; the recorded ones must outlive it.
        foreach (var point in wanted) hooks.Add(point, (v, p) => recorded[p] = v.DetachFromDisposeScope());
        var run = (context.Options.FixedHooks ?? HookSet.Empty).Concat(hooks);
        var logits = model.Run(context.BaseTokens.Tokens, run, readPositions: context.BaseTokens.LastPositions);
        context.RunsCounted++;
        var points = recorded.Keys.OrderBy(p => p).ToList();
        var gradients = torch.autograd.grad([context.Metric.Evaluate(logits).sum()], points.Select(p => recorded[p]).ToList(), allow_unused: true);
        var gradientAt = points.Zip(gradients).ToDictionary(x => x.First, x => x.Second);

        var result = new List<ScoreSet>();
        foreach (var layout in layouts)
        {
            var perLayer = new List<ScoreSet>();
            for (int l = 0; l < model.Config.NLayer; l++)
            {
                var delta = context.OtherActivation(layout, l) - context.BaseActivation(layout, l);
                var g = gradientAt[layout.Hook(l)];
                // A head output enters attn_out by a sum, so each head sees attn_out's gradient.
                if (layout.Kind == ComponentKind.HeadOutput) g = g.unsqueeze(2);
                perLayer.Add(ScoreSet.FromLayer(Method.Atp, layout.Kind, l, layout.SumToComponents(delta * g, context.Options.PerPosition)));
            }
            result.Add(ScoreSet.Concat(Method.Atp, perLayer));
        }
        foreach (var t in recorded.Values) t.Dispose();
        return result;
    }
}
