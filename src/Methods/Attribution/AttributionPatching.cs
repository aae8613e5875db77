using Concord.Methods.Targets;
using Concord.Methods.Results;
using Concord.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Attribution;

/// <summary>
/// Attribution patching: AtP_c = Σ_{i∈c} Δ_i · ∂F/∂x_i(a), the first-order limit of both AP and IG.
/// One backward pass of the base run gives the gradient at every hook of every layer (plus one
/// forward pass unless the context recorded the base run's graph), so <see cref="AttributeAll"/>
/// scores several component kinds for the price of one.
/// </summary>
/// <param name="sharedKinds">Kinds scored together from the one backward pass the first <see cref="Attribute"/> on a context runs; later calls on that context, by any instance, read from it.</param>
/// <param name="scale">s of the similarity sweep: scores are s·AtP, AtP being linear in Δ.</param>
public sealed class AttributionPatching(IReadOnlyList<TargetSpace>? sharedKinds = null, double? scale = null) : IAttributionMethod
{
    public Method Method => Method.Atp;

    public MethodResult Attribute(AttributionContext context, TargetSpace kind)
    {
        var kinds = (sharedKinds ?? []).Contains(kind) ? sharedKinds! : [kind];
        var shared = context.Memo("atp:" + string.Join(",", kinds.Select(k => k.Id())), () => AttributeAll(context, kinds));
        var result = shared[kind];
        return scale is double s ? result with { Scores = result.Scores.Scaled(s) } : result;
    }

    /// <summary>Every kind's scores from one backward pass.</summary>
    public IReadOnlyDictionary<TargetSpace, MethodResult> AttributeAll(AttributionContext context, IReadOnlyList<TargetSpace> kinds)
    {
        using var scope = NewDisposeScope();
        var model = context.Model;
        var layouts = kinds.Distinct().Select(k => new ComponentLayout(k, model.Config)).ToList();
        var gradientAt = context.GradientsAtBase(AttributionContext.ScoredHooks(layouts, model.Config.NLayer));

        var result = new Dictionary<TargetSpace, MethodResult>();
        foreach (var layout in layouts)
        {
            var perLayer = new List<LayerScores>();
            for (int l = 0; l < model.Config.NLayer; l++)
            {
                var delta = context.OtherActivation(layout, l) - context.BaseActivation(layout, l);
                var g = gradientAt[layout.Hook(l)];
                // A head output enters attn_out by a sum, so each head sees attn_out's gradient.
                if (layout.Kind == TargetSpace.HeadOutput) g = g.unsqueeze(2);
                perLayer.Add(new LayerScores(l, ScoreSet.FromLayer(Method.Atp.Id(), layout.Kind, l, layout.SumToComponents(delta * g, context.Options.PerPosition))));
            }
            result[layout.Kind] = MethodResult.FromLayers(Method.Atp, layout.Kind, perLayer);
        }
        return result;
    }
}
