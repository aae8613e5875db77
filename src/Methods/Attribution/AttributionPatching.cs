using Concord.Methods.Components;
using Concord.Methods.Results;
using Concord.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Attribution;

/// <summary>
/// Attribution patching: AtP_c = Σ_{i∈c} Δ_i · ∂F/∂x_i(a), the first-order limit of both AP and IG.
/// One backward pass of the base run gives the gradient at every hook of every layer (plus one
/// forward pass unless the context recorded the base run's graph).
/// </summary>
public static class AttributionPatching
{
    public static IReadOnlyList<ScoreSet> AllLayers(AttributionContext context, IReadOnlyList<ComponentKind> kinds)
    {
        using var scope = NewDisposeScope();
        var model = context.Model;
        var layouts = kinds.Select(k => new ComponentLayout(k, model.Config)).ToList();
        var gradientAt = context.GradientsAtBase(AttributionContext.ScoredHooks(layouts, model.Config.NLayer));

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
        return result;
    }
}
