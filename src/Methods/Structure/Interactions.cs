using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Interventions;
using Concord.Model;

namespace Concord.Methods.Structure;

/// <summary>
/// The interaction of a pair under noising: n_ij = −E({i, j})/G, I_ij = n_ij − n_i − n_j with
/// n_i = −E({i})/G: an OR pair (either input keeps the behaviour) → +1, an AND pair (each alone
/// breaks it) → −1, additive → 0. Medians over the kept prompts (<see cref="Asymmetry.KeptPrompts"/>).
/// </summary>
public sealed record PairInteraction(Target First, Target Second, double Joint, double Interaction)
{
    /// <summary>An OR pair has I → +1, an AND pair I → −1.</summary>
    public string Gate => Interaction >= Interactions.Strong ? "OR" : Interaction <= -Interactions.Strong ? "AND" : "additive";
}

public static class Interactions
{
    /// <summary>|I_ij| at least this (half the way from additive to a pure gate) makes a pair AND- or OR-like.</summary>
    public const double Strong = 0.5;

    /// <summary>The sets noised: each component alone (in order), then every pair i &lt; j (row-major).</summary>
    public static IReadOnlyList<IReadOnlyCollection<Target>> Sets(IReadOnlyList<Target> components)
    {
        var sets = components.Select(c => (IReadOnlyCollection<Target>)[c]).ToList();
        for (int i = 0; i < components.Count; i++)
            for (int j = i + 1; j < components.Count; j++) sets.Add([components[i], components[j]]);
        return sets;
    }

    /// <summary>
    /// Every pair's n_ij and I_ij from the metric of each of <see cref="Sets"/> on every prompt
    /// (<paramref name="metrics"/>[set, prompt]), m(∅) of each prompt and its gap G.
    /// </summary>
    public static IReadOnlyList<PairInteraction> FromMetrics(IReadOnlyList<Target> components, double[,] metrics, IReadOnlyList<double> baseMetric, IReadOnlyList<double> gaps)
    {
        int n = components.Count, prompts = gaps.Count;
        if (metrics.GetLength(0) != n + n * (n - 1) / 2 || metrics.GetLength(1) != prompts || baseMetric.Count != prompts)
            throw new ArgumentException("the metrics do not cover every set and prompt", nameof(metrics));
        var kept = Asymmetry.KeptPrompts(gaps);
        double Share(int set, int prompt) => -(metrics[set, prompt] - baseMetric[prompt]) / gaps[prompt];
        var pairs = new List<PairInteraction>();
        int index = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, index++)
            {
                int set = index;
                pairs.Add(new PairInteraction(components[i], components[j],
                    Asymmetry.Median(kept.Select(p => Share(set, p))),
                    Asymmetry.Median(kept.Select(p => Share(set, p) - Share(i, p) - Share(j, p)))));
            }
        return pairs;
    }

    /// <summary>
    /// Every pair of <paramref name="components"/> noised jointly (resample, one stacked run per chunk),
    /// and each alone, on a noising context's prompts.
    /// </summary>
    /// <param name="gaps">G = m(clean) − m(corrupted) of the context's prompts.</param>
    public static IReadOnlyList<PairInteraction> Of(AttributionContext context, TargetSpace kind, IReadOnlyList<Target> components, IReadOnlyList<double> gaps)
    {
        if (context.Options.Direction != Direction.Noising) throw new ArgumentException("interactions are defined under noising (the clean run as base)", nameof(context));
        if (gaps.Count != context.Batch) throw new ArgumentException($"{gaps.Count} gaps for {context.Batch} prompts", nameof(gaps));
        var metrics = Intervention.MetricsOnEveryPrompt(context, kind, Sets(components), Ablation.Resample);
        return FromMetrics(components, metrics, context.BaseMetric.ToDoubles(), gaps);
    }
}
