using Concord.Methods.Targets;
using Concord.Methods.Results;
using Concord.Model;
using static TorchSharp.torch;

namespace Concord.Methods.Attribution.Naive;

/// <summary>Activation patching as the notebook did it: one full run per patch, F(a) from its own full run.</summary>
public sealed class NaiveActivationPatching(Func<int, IReadOnlyList<int>?>? indices = null) : IAttributionMethod
{
    public Method Method => Method.Ap;

    public MethodResult Attribute(AttributionContext context, TargetSpace kind) => MethodResult.FromLayers(Method.Ap, kind,
        Enumerable.Range(0, context.Model.Config.NLayer).Select(l => Layer(context, kind, l, indices?.Invoke(l))));

    public static LayerScores Layer(AttributionContext context, TargetSpace kind, int layer, IReadOnlyList<int>? chosen = null)
    {
        using var scope = NewDisposeScope();
        var layout = new ComponentLayout(kind, context.Model.Config);
        var a = context.BaseActivation(layout, layer);
        var target = context.OtherActivation(layout, layer);
        var grouped = layout.Grouped(a);
        var groupedTarget = layout.Grouped(target);
        long b = grouped.shape[0], p = grouped.shape[1], perPos = grouped.shape[2];
        var components = ActivationPatching.Patches(kind, layer, chosen ?? Enumerable.Range(0, (int)perPos).ToArray(), (int)p, context.Options.PerPosition);
        var metricAtBase = FullRun.Metric(context, layout, layer, a);
        var effects = new double[b, components.Count];
        for (int patch = 0; patch < components.Count; patch++)
        {
            using var patchScope = NewDisposeScope();
            var mask = ActivationPatching.Masks([components[patch]], p, perPos, a.device)[0];   // [1, pos, C, 1]
            var patched = where(mask, groupedTarget, grouped).reshape(a.shape);
            var effect = (FullRun.Metric(context, layout, layer, patched) - metricAtBase).ToDoubles();
            for (int row = 0; row < b; row++) effects[row, patch] = effect[row];
        }
        return new LayerScores(layer, new ScoreSet(Method.Ap.Id(), components, effects));
    }
}
