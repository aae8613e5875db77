using Concord.Methods.Attribution;
using Concord.Methods.Targets;

namespace Concord.Methods.Structure;

/// <summary>One method's n and d of every component of a kind.</summary>
public sealed record MethodAsymmetry(Method Method, IReadOnlyList<ComponentAsymmetry> Components)
{
    public ComponentAsymmetry? Of(Target component) => Components.FirstOrDefault(c => c.Target == component);
}

/// <summary>Whether a strong pair's gate matches its members' asymmetry (an AND pair of AND-like members, an OR pair of OR-like ones).</summary>
public enum PairConfirmation { Confirms, Contradicts, NoCandidate }

/// <summary>
/// The AND / OR structure of one component kind: every method's asymmetry, the candidates (by the
/// patching method, AP, when it ran), and the pairwise interactions of the components with the
/// largest share of the gap.
/// </summary>
public sealed record KindStructure(TargetSpace Kind, IReadOnlyList<MethodAsymmetry> Methods, Method CandidatesBy,
    IReadOnlyList<ComponentAsymmetry> Candidates, IReadOnlyList<Target> Interacting, IReadOnlyList<PairInteraction> Pairs)
{
    public MethodAsymmetry? Of(Method method) => Methods.FirstOrDefault(m => m.Method == method);

    /// <summary>Candidates with A ≥ 0.5: seen by noising only.</summary>
    public int AndLike => Candidates.Count(c => c.A > 0);
    /// <summary>Candidates with A ≤ −0.5: seen by denoising only.</summary>
    public int OrLike => Candidates.Count(c => c.A < 0);
    public int AndPairs => Pairs.Count(p => p.Interaction <= -Interactions.Strong);
    public int OrPairs => Pairs.Count(p => p.Interaction >= Interactions.Strong);

    /// <summary>The pairs by |I|, strongest first.</summary>
    public IReadOnlyList<PairInteraction> Strongest(int count) =>
        Pairs.Where(p => double.IsFinite(p.Interaction)).OrderByDescending(p => Math.Abs(p.Interaction)).Take(count).ToList();

    /// <summary>
    /// An AND pair (I ≤ −0.5) confirms when both members are AND-like candidates (A ≥ 0.5), an OR
    /// pair (I ≥ 0.5) when both are OR-like; a member that is a candidate of the other sign contradicts.
    /// </summary>
    public PairConfirmation Confirmation(PairInteraction pair)
    {
        var members = new[] { pair.First, pair.Second }.Select(c => Candidates.FirstOrDefault(x => x.Target == c)).ToList();
        int sign = pair.Interaction >= Interactions.Strong ? -1 : pair.Interaction <= -Interactions.Strong ? 1 : 0;   // the asymmetry sign the gate implies
        if (sign == 0 || members.All(m => m is null)) return PairConfirmation.NoCandidate;
        if (members.Any(m => m is not null && Math.Sign(m.A) != sign)) return PairConfirmation.Contradicts;
        return members.All(m => m is not null) ? PairConfirmation.Confirms : PairConfirmation.NoCandidate;
    }
}

/// <summary>A task's AND / OR structure: the prompts its medians are over, and each kind's.</summary>
/// <param name="KeptPrompts">Prompts with |G| ≥ 0.05 × the task's median |G| (the rest are left out of every median).</param>
public sealed record TaskStructure(int Prompts, int KeptPrompts, IReadOnlyList<KindStructure> Kinds)
{
    public int LeftOut => Prompts - KeptPrompts;
}

public static class PairConfirmations
{
    /// <summary>The stable text (agreement.json, snapshots).</summary>
    public static string Id(this PairConfirmation confirmation) => confirmation switch
    {
        PairConfirmation.Confirms => "confirms",
        PairConfirmation.Contradicts => "contradicts",
        PairConfirmation.NoCandidate => "no-candidate",
        _ => throw new ArgumentOutOfRangeException(nameof(confirmation), confirmation, null),
    };
}
