using Concord.Methods.Attribution;
using Concord.Methods.Components;
using Concord.Methods.Interventions;
using Concord.Model;

namespace Concord.Methods.Structure;

/// <summary>
/// The interaction of a pair under noising: n_ij = −E({i, j})/G, I_ij = n_ij − n_i − n_j with
/// n_i = −E({i})/G: an OR pair (either input keeps the behaviour) → +1, an AND pair (each alone
/// breaks it) → −1, additive → 0. Medians over the kept prompts (<see cref="Asymmetry.KeptPrompts"/>).
/// </summary>
public sealed record PairInteraction(Component First, Component Second, double Joint, double Interaction);

public static class Interactions
{
    /// <summary>
    /// Every pair of <paramref name="components"/> noised jointly (resample, one stacked run per chunk),
    /// and each alone, on a noising context's prompts.
    /// </summary>
    /// <param name="gaps">G = m(clean) − m(corrupted) of the context's prompts.</param>
    public static IReadOnlyList<PairInteraction> Of(AttributionContext context, ComponentKind kind, IReadOnlyList<Component> components, IReadOnlyList<double> gaps)
    {
        if (context.Options.Direction != Direction.Noising) throw new ArgumentException("interactions are defined under noising (the clean run as base)", nameof(context));
        if (gaps.Count != context.Batch) throw new ArgumentException($"{gaps.Count} gaps for {context.Batch} prompts", nameof(gaps));
        var pairs = new List<(int I, int J)>();
        for (int i = 0; i < components.Count; i++)
            for (int j = i + 1; j < components.Count; j++) pairs.Add((i, j));
        var sets = components.Select(c => (IReadOnlyCollection<Component>)[c])
            .Concat(pairs.Select(p => (IReadOnlyCollection<Component>)[components[p.I], components[p.J]])).ToList();
        var metrics = Intervention.MetricsOnEveryPrompt(context, kind, sets, Ablation.Resample);
        var baseMetric = context.BaseMetric.ToDoubles();
        var kept = Asymmetry.KeptPrompts(gaps);
        double Share(int set, int prompt) => -(metrics[set, prompt] - baseMetric[prompt]) / gaps[prompt];
        return pairs.Select((pair, k) =>
        {
            int set = components.Count + k;
            return new PairInteraction(components[pair.I], components[pair.J],
                Asymmetry.Median(kept.Select(p => Share(set, p))),
                Asymmetry.Median(kept.Select(p => Share(set, p) - Share(pair.I, p) - Share(pair.J, p))));
        }).ToList();
    }
}
