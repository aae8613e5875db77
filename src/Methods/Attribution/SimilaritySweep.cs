using Concord.Methods.Components;

namespace Concord.Methods.Attribution;

/// <summary>
/// The "how similar are the baselines" axis: as s shrinks, what AP patches in approaches IG's
/// baseline, and every method tends to s·AtP. Every registered method with
/// <see cref="Method.InSweep"/> is scored at each s, through its own factory.
/// </summary>
public static class SimilaritySweep
{
    /// <summary>The methods a sweep point holds, in registration order.</summary>
    public static IReadOnlyList<Method> Methods => Method.All.Where(m => m.InSweep).ToList();

    public static IReadOnlyList<SweepPoint> Run(AttributionContext context, IReadOnlyList<ComponentKind> kinds, IReadOnlyList<double> scales, MethodSettings settings)
    {
        if (scales.Any(s => !(s > 0 && s <= 1))) throw new ArgumentOutOfRangeException(nameof(scales), "sweep scales must lie in (0, 1]");
        if (settings.Ig.Baseline != Baseline.Aligned) throw new ArgumentException("the similarity sweep scales the aligned baseline's corruption", nameof(settings));
        var points = new List<SweepPoint>();
        foreach (var s in scales)
            foreach (var kind in kinds)
                points.Add(Point(context, kind, s, settings));
        return points;
    }

    public static SweepPoint Point(AttributionContext context, ComponentKind kind, double scale, MethodSettings settings)
    {
        var reference = Method.Reference.Create(settings, scale).Attribute(context, kind).Scores;
        return new SweepPoint(scale, kind, Methods.ToDictionary(m => m,
            m => m == Method.Reference ? reference : m.Create(settings, scale).Attribute(context, kind).Scores.Select(reference.Components)));
    }
}
