using Concord.Methods.Components;
using Concord.Methods.Results;

namespace Concord.Methods.Attribution;

/// <summary>
/// The "how similar are the baselines" axis: as s shrinks, what AP patches in approaches IG's
/// baseline, and both methods tend to s·AtP.
/// </summary>
public static class SimilaritySweep
{
    /// <param name="apIndices">The components AP patches per kind and layer (a neuron subset); all when null.</param>
    /// <param name="atp">AtP of each kind when already computed (the pipeline shares one backward pass).</param>
    public static IReadOnlyList<SweepPoint> Run(AttributionContext context, IReadOnlyList<ComponentKind> kinds, IReadOnlyList<double> scales,
        Func<ComponentKind, int, IReadOnlyList<int>?>? apIndices = null, IReadOnlyDictionary<ComponentKind, MethodResult>? atp = null)
    {
        if (scales.Any(s => !(s > 0 && s <= 1))) throw new ArgumentException("sweep scales must lie in (0, 1]");
        if (context.Options.Baseline != Baseline.Aligned) throw new ArgumentException("the similarity sweep scales the aligned baseline's corruption");
        atp ??= new AttributionPatching().AttributeAll(context, kinds);
        var points = new List<SweepPoint>();
        foreach (var s in scales)
            foreach (var kind in kinds)
                points.Add(Point(context, kind, s, apIndices is null ? null : l => apIndices(kind, l), atp[kind]));
        return points;
    }

    public static SweepPoint Point(AttributionContext context, ComponentKind kind, double scale, Func<int, IReadOnlyList<int>?>? apIndices, MethodResult atp)
    {
        // Layer by layer, as the main run does: the two methods' tensors of one layer are freed before the next.
        var ig = new List<LayerScores>();
        var ap = new List<LayerScores>();
        for (int l = 0; l < context.Model.Config.NLayer; l++)
        {
            ig.Add(IntegratedGradients.AsConfigured(context, kind, l, scale));
            ap.Add(ActivationPatching.Layer(context, kind, l, apIndices?.Invoke(l), scale));
        }
        var apSet = MethodResult.FromLayers(Method.Ap, kind, ap).Scores;
        return new SweepPoint(scale, kind, MethodResult.FromLayers(Method.Ig, kind, ig).Scores.Select(apSet.Components), apSet,
            atp.Scores.Scaled(scale).Select(apSet.Components));
    }
}
