using Concord.Methods.Agreement;
using Concord.Methods.Targets;
using Concord.Methods.Interventions;
using Concord.Methods.Results;

namespace Concord.Methods.Verification;

/// <summary>Where a component falls when IG and AP each pick their top components of one prompt by |score|.</summary>
public enum DisagreementCategory { Both, IgOnly, ApOnly, Neither }

public static class DisagreementCategories
{
    public static IReadOnlyList<DisagreementCategory> All { get; } = Enum.GetValues<DisagreementCategory>();

    public static string Id(this DisagreementCategory c) => c switch
    {
        DisagreementCategory.Both => "high-ig-high-ap",
        DisagreementCategory.IgOnly => "high-ig-only",
        DisagreementCategory.ApOnly => "high-ap-only",
        DisagreementCategory.Neither => "neither",
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    public static string Label(this DisagreementCategory c) => c switch
    {
        DisagreementCategory.Both => "high IG, high AP",
        DisagreementCategory.IgOnly => "high IG only",
        DisagreementCategory.ApOnly => "high AP only",
        _ => "neither",
    };

    /// <summary>
    /// Each prompt's four sets: "high" is a method's top ⌈fraction·N⌉ components by |score| within
    /// that prompt (a threshold per prompt, never one over all prompts at once), zeros never high.
    /// Rows are prompt-major, categories in <see cref="All"/>'s order.
    /// </summary>
    public static IReadOnlyList<InterventionRow> Rows(ScoreSet ig, ScoreSet ap, double fraction)
    {
        var components = ap.Targets;
        var aligned = ig.Select(components);
        int k = TopK.K(components.Count, fraction);
        var rows = new List<InterventionRow>();
        for (int p = 0; p < ap.Prompts; p++)
        {
            var highIg = TopK.Top(aligned.Row(p), k).ToHashSet();
            var highAp = TopK.Top(ap.Row(p), k).ToHashSet();
            foreach (var category in All)
                rows.Add(new InterventionRow(p, Enumerable.Range(0, components.Count).Where(i => category switch
                {
                    DisagreementCategory.Both => highIg.Contains(i) && highAp.Contains(i),
                    DisagreementCategory.IgOnly => highIg.Contains(i) && !highAp.Contains(i),
                    DisagreementCategory.ApOnly => highAp.Contains(i) && !highIg.Contains(i),
                    _ => !highIg.Contains(i) && !highAp.Contains(i),
                }).Select(i => components[i]).ToList()));
        }
        return rows;
    }
}

/// <summary>
/// One category over the task's prompts: on how many prompts it is non-empty, its mean size, the
/// mean joint effect E(S) under resample and under mean ablation (prompts with an empty set left
/// out), and the mean isolated mean-ablation effect of its members when that was computed.
/// </summary>
public sealed record CategoryEffect(DisagreementCategory Category, int Prompts, double MeanSize, double JointResample, double JointMean, double? IsolatedMean)
{
    /// <summary>Mean |E(S)| under resample: effects of opposite sign on different prompts do not cancel here (the original study's figures are of this kind).</summary>
    public double MeanAbsResample { get; init; }
    /// <summary>Mean |E(S)| under mean ablation.</summary>
    public double MeanAbsMean { get; init; }
}

/// <summary>How well a method's scores predict the isolated mean-ablation effects (pooled over prompts and components).
/// Under resample the isolated effect of a component is AP itself (equal by construction), so only mean ablation is compared.</summary>
public sealed record Predictiveness(string Method, StatisticValue Pearson, StatisticValue Spearman);

/// <summary>A kind's disagreements verified: the four categories and the verdict.</summary>
/// <param name="MeanGap">Mean |m(clean) − m(corrupted)| over the task's prompts: the scale the verdict reads effects against.</param>
public sealed record KindDisagreements(IReadOnlyList<CategoryEffect> Categories, double MeanGap, string Verdict)
{
    public CategoryEffect this[DisagreementCategory c] => Categories.First(x => x.Category == c);

    /// <summary>
    /// Which method's exclusive components the joint interventions support: the one whose "only"
    /// set moves the metric (mean |E| over prompts) at least <see cref="Dominance"/>× as much as the
    /// other's and at least <see cref="Negligible"/> of the mean gap, under resample *and* under mean
    /// ablation. Resample alone leans towards AP by construction (one component resampled is its AP
    /// score), so when the two ablations disagree the verdict is "undecided".
    /// </summary>
    public static string VerdictOf(CategoryEffect igOnly, CategoryEffect apOnly, double meanGap, double fraction)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (igOnly.Prompts == 0 && apOnly.Prompts == 0)
            return string.Create(inv, $"IG and AP pick the same top {fraction:P0} on every prompt: nothing to settle");
        double Share(double e) => meanGap == 0 ? 0 : e / meanGap;
        double ig = Share(igOnly.MeanAbsResample), ap = Share(apOnly.MeanAbsResample);
        double igMean = Share(igOnly.MeanAbsMean), apMean = Share(apOnly.MeanAbsMean);
        string numbers = string.Create(inv, $"mean |E| IG-only {ig:P0}, AP-only {ap:P0} of the gap under resample; {igMean:P0} and {apMean:P0} under mean ablation");
        string? Winner(double i, double a) => Math.Max(i, a) < Negligible ? "neither" : a >= Dominance * i ? "AP" : i >= Dominance * a ? "IG" : "both";
        string resample = Winner(ig, ap)!, mean = Winner(igMean, apMean)!;
        if (resample != mean) return $"undecided: resample says {resample}, mean ablation {mean} ({numbers})";
        return resample switch
        {
            "neither" => $"neither: each method's exclusive components move the metric by under {Negligible:P0} of the gap ({numbers})",
            "both" => $"both: the exclusive components of each matter comparably ({numbers})",
            _ => $"{resample}: its exclusive components matter more under both ablations ({numbers})",
        };
    }

    /// <summary>How many times the other's effect the supported method's exclusive set must have.</summary>
    public const double Dominance = 1.5;
    /// <summary>Effects below this share of the mean gap count as nothing.</summary>
    public const double Negligible = 0.05;
}
