using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;

namespace Concord.Methods.Pipeline;

/// <summary>Agreement of every compared pair of swept methods at one sweep scale s for one component kind.</summary>
public sealed record SweepSummary(TargetSpace Space, double Scale, IReadOnlyList<PairAgreement> Pairs)
{
    public PairAgreement? Pair(Method first, Method second) => Pairs.FirstOrDefault(p => p.First == first && p.Second == second);
}
