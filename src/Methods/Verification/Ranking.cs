using Concord.Methods.Attribution;

namespace Concord.Methods.Verification;

/// <summary>How a method's scores order the components into circuits (MIB's two node-level variants).</summary>
public enum RankingKind
{
    /// <summary>By importance: −score when noising (removing it lowers the metric), +score when denoising.</summary>
    Signed,
    /// <summary>By |score|: direction-free, so components that work against the behaviour rank high too.</summary>
    Absolute,
}

public static class Ranking
{
    public static string Id(this RankingKind kind) => kind == RankingKind.Signed ? "signed" : "absolute";

    /// <summary>
    /// Target slots from most to least important by the score averaged over prompts; ties keep
    /// the component order (layer, index), so a ranking is a deterministic function of the scores.
    /// </summary>
    public static int[] Order(IReadOnlyList<double> meanScores, RankingKind kind, Direction direction)
    {
        double Importance(double s) => kind == RankingKind.Absolute ? Math.Abs(s) : direction == Direction.Noising ? -s : s;
        return Enumerable.Range(0, meanScores.Count).OrderByDescending(i => Importance(meanScores[i])).ThenBy(i => i).ToArray();
    }

    /// <summary>A seeded random permutation of the slots (the control).</summary>
    public static int[] Random(int count, int seed)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }

    /// <summary>
    /// The circuit size of each fraction k: ⌈k·N⌉ components, at least one (the same rounding as the
    /// agreement's top-k), distinct sizes only — on a kind with few components several k give one circuit.
    /// </summary>
    public static IReadOnlyList<int> CircuitSizes(int components, IEnumerable<double> fractions) =>
        fractions.Select(k => Agreement.TopK.K(components, k)).Distinct().Order().ToList();
}
