using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Results;

namespace Concord.Methods.Pipeline;

/// <summary>One batch of a task: which dataset rows, their token lengths, and every unit's result.</summary>
public sealed record BatchResult(int[] Rows, int[] Lengths, BatchMetrics Metrics, IReadOnlyList<MethodResult> Methods, IReadOnlyList<SweepPoint> SweepPoints)
{
    public MethodResult? Result(Method method, TargetSpace kind) => Methods.FirstOrDefault(m => m.Method == method && m.Space == kind);

    public ScoreSet? Scores(Method method, TargetSpace kind) => Result(method, kind)?.Scores;

    /// <summary>Every swept method's scores at a sweep scale; s = 1 is the main run itself when that was computed.</summary>
    public SweepPoint Sweep(TargetSpace kind, double scale, MethodCatalogue methods)
    {
        if (SweepPoints.FirstOrDefault(p => p.Space == kind && p.Scale == scale) is { } point) return point;
        var swept = methods.Swept;
        if (scale != 1 || Scores(methods.Reference, kind) is not { } reference || swept.Any(m => Scores(m, kind) is null))
            throw new KeyNotFoundException($"no sweep point {kind.Id()} s = {scale}");
        return new SweepPoint(scale, kind, swept.ToDictionary(m => m, m => Scores(m, kind)!.Select(reference.Targets)));
    }
}
