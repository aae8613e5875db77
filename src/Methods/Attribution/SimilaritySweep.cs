using Concord.Methods.Targets;

namespace Concord.Methods.Attribution;

/// <summary>
/// The "how similar are the baselines" axis: as s shrinks, what AP patches in approaches IG's
/// baseline, and every method tends to s·AtP. Every method of the catalogue with
/// <see cref="Method.InSweep"/> (<see cref="MethodCatalogue.Swept"/>) is scored at each s, through its own factory.
/// </summary>
public static class SimilaritySweep
{
    /// <param name="methods">The catalogue whose swept methods are scored (the built-in one when null).</param>
    public static IReadOnlyList<SweepPoint> Run(AttributionContext context, IReadOnlyList<TargetSpace> kinds, IReadOnlyList<double> scales, MethodSettings settings,
        MethodCatalogue? methods = null)
    {
        if (scales.Any(s => !(s > 0 && s <= 1))) throw new ArgumentOutOfRangeException(nameof(scales), "sweep scales must lie in (0, 1]");
        if (settings.Ig.Baseline != Baseline.Aligned) throw new ArgumentException("the similarity sweep scales the aligned baseline's corruption", nameof(settings));
        var points = new List<SweepPoint>();
        foreach (var s in scales)
            foreach (var kind in kinds)
                points.Add(Point(context, kind, s, settings, methods ?? MethodCatalogue.BuiltIn));
        return points;
    }

    public static SweepPoint Point(AttributionContext context, TargetSpace kind, double scale, MethodSettings settings, MethodCatalogue methods)
    {
        var reference = methods.Reference.Create(settings, scale).Attribute(context, kind).Scores;
        return new SweepPoint(scale, kind, methods.Swept.ToDictionary(m => m,
            m => m == methods.Reference ? reference : m.Create(settings, scale).Attribute(context, kind).Scores.Select(reference.Targets)));
    }
}
