using Concord.Methods.Targets;
using Concord.Methods.Results;

namespace Concord.Methods.Attribution;

/// <summary>
/// Every swept method's scores with the corruption scaled to a'(s) = a + sΔ (AtP is then s·AtP,
/// the common limit as s → 0), on the components the reference method (AP) scored.
/// </summary>
public sealed record SweepPoint(double Scale, TargetSpace Space, IReadOnlyDictionary<Method, ScoreSet> Scores)
{
    public ScoreSet this[Method method] => Scores.TryGetValue(method, out var set) ? set
        : throw new KeyNotFoundException($"sweep point {Space.Id()} s = {Scale} has no {method.DisplayName} scores");
}
