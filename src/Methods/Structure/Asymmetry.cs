using Concord.Methods.Targets;
using Concord.Methods.Results;

namespace Concord.Methods.Structure;

/// <summary>
/// One component's shares of the gap G = m(clean) − m(corrupted), medians over prompts:
/// <see cref="Noise"/> n = −score_noising/G (lost when it alone is noised) and <see cref="Denoise"/>
/// d = score_denoising/G (recovered when it alone is restored). A = n − d: an AND input is seen only
/// by noising (A → +1), an OR input only by denoising (A → −1), an additive one by both (A → 0).
/// </summary>
public sealed record ComponentAsymmetry(Target Target, double Noise, double Denoise)
{
    public double A => Noise - Denoise;
    public double Largest => Math.Max(Noise, Denoise);
}

public static class Asymmetry
{
    /// <summary>A candidate's |A| at least this (half the way from additive to a pure gate).</summary>
    public const double CandidateAsymmetry = 0.5;
    /// <summary>...and a share of the gap at least this in one direction, so that noise around 0 is no candidate.</summary>
    public const double CandidateShare = 0.1;
    /// <summary>Prompts whose |G| is below this fraction of the task's median |G| are left out (as the normalised view does).</summary>
    public const double MinimumGapFraction = 0.05;

    /// <summary>The prompts kept: |G| ≥ 0.05 × the median |G| (and G ≠ 0).</summary>
    public static int[] KeptPrompts(IReadOnlyList<double> gaps)
    {
        var sorted = gaps.Select(Math.Abs).Order().ToArray();
        double median = sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return Enumerable.Range(0, gaps.Count).Where(i => gaps[i] != 0 && Math.Abs(gaps[i]) >= MinimumGapFraction * median).ToArray();
    }

    /// <summary>
    /// Every component's n and d (medians over the kept prompts) from one method's noising and
    /// denoising scores of the same prompts and components.
    /// </summary>
    /// <param name="gaps">G = m(clean) − m(corrupted) per prompt.</param>
    public static IReadOnlyList<ComponentAsymmetry> Of(ScoreSet noising, ScoreSet denoising, IReadOnlyList<double> gaps)
    {
        if (noising.Prompts != gaps.Count || denoising.Prompts != gaps.Count) throw new ArgumentException("scores and gaps cover different prompts");
        var aligned = denoising.Select(noising.Targets);
        var kept = KeptPrompts(gaps);
        return noising.Targets.Select((c, j) => new ComponentAsymmetry(c,
            Median(kept.Select(p => -noising[p, j] / gaps[p])),
            Median(kept.Select(p => aligned[p, j] / gaps[p])))).ToList();
    }

    /// <summary>The components with |A| ≥ 0.5 and max(n, d) ≥ 0.1, most asymmetric first.</summary>
    public static IReadOnlyList<ComponentAsymmetry> Candidates(IEnumerable<ComponentAsymmetry> all) =>
        all.Where(a => Math.Abs(a.A) >= CandidateAsymmetry && a.Largest >= CandidateShare).OrderByDescending(a => Math.Abs(a.A)).ToList();

    internal static double Median(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).Order().ToArray();
        if (v.Length == 0) return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
