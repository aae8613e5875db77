using Concord.Methods.Components;
using Concord.Methods.Results;
using static TorchSharp.torch;

namespace Concord.Methods.Attribution;

/// <summary>IG and AP scores with the corruption scaled to a'(s) = a + sΔ, and AtP scaled by s (their common limit as s → 0).</summary>
public sealed record SweepPoint(double Scale, ComponentKind Kind, ScoreSet Ig, ScoreSet Ap, ScoreSet AtpScaled);

/// <summary>
/// The "how similar are the baselines" axis: as s shrinks, what AP patches in approaches IG's
/// baseline, and both methods tend to s·AtP.
/// </summary>
public static class SimilaritySweep
{
    public static IReadOnlyList<SweepPoint> Run(AttributionContext context, IReadOnlyList<ComponentKind> kinds, IReadOnlyList<double> scales,
        Func<ComponentKind, int, IReadOnlyList<int>?>? apIndices = null, IReadOnlyList<ScoreSet>? atp = null)
    {
        if (scales.Any(s => !(s > 0 && s <= 1))) throw new ArgumentException("sweep scales must lie in (0, 1]");
        if (context.Options.Baseline != Baseline.Aligned) throw new ArgumentException("the similarity sweep scales the aligned baseline's corruption");
        atp ??= AttributionPatching.AllLayers(context, kinds);
        var points = new List<SweepPoint>();
        foreach (var s in scales)
            foreach (var (kind, k) in kinds.Select((kind, k) => (kind, k)))
            {
                var layout = new ComponentLayout(kind, context.Model.Config);
                var ig = new List<ScoreSet>();
                var ap = new List<ScoreSet>();
                for (int l = 0; l < context.Model.Config.NLayer; l++)
                {
                    using var scope = NewDisposeScope();
                    var a = context.BaseActivation(layout, l);
                    var end = a + s * (context.OtherActivation(layout, l) - a);
                    ig.Add(IntegratedGradients.Layer(context, kind, l, end: end).Scores);
                    ap.Add(ActivationPatching.Layer(context, kind, l, end, apIndices?.Invoke(kind, l)));
                }
                var apSet = ScoreSet.Concat(Method.Ap, ap);
                var scaled = Scale(atp[k], s);
                points.Add(new SweepPoint(s, kind, ScoreSet.Concat(Method.Ig, ig).Select(apSet.Components), apSet, scaled.Select(apSet.Components)));
            }
        return points;
    }

    private static ScoreSet Scale(ScoreSet set, double s)
    {
        var values = (double[,])set.Values.Clone();
        for (int b = 0; b < set.Prompts; b++)
            for (int j = 0; j < set.Components.Count; j++) values[b, j] *= s;
        return new ScoreSet(set.Method, set.Components, values);
    }
}
