using Concord.Methods.Agreement;
using Concord.Methods.Components;
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
        var components = ap.Components;
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
public sealed record CategoryEffect(DisagreementCategory Category, int Prompts, double MeanSize, double JointResample, double JointMean, double? IsolatedMean);

/// <summary>How well a method's scores predict the isolated mean-ablation effects (pooled over prompts and components).
/// Under resample the isolated effect of a component is AP itself (equal by construction), so only mean ablation is compared.</summary>
public sealed record Predictiveness(string Method, Statistic Pearson, Statistic Spearman);

/// <summary>A kind's disagreements verified: the four categories, predictiveness when isolated effects were run, and the verdict.</summary>
/// <param name="MeanGap">Mean |m(clean) − m(corrupted)| over the task's prompts: the scale the verdict reads effects against.</param>
public sealed record KindDisagreements(IReadOnlyList<CategoryEffect> Categories, IReadOnlyList<Predictiveness> Predictiveness, double MeanGap, string Verdict)
{
    public CategoryEffect this[DisagreementCategory c] => Categories.First(x => x.Category == c);

    /// <summary>
    /// Which method's exclusive components the joint interventions support: the one whose
    /// "only" set moves the metric at least 1.5× as much as the other's under resample and at least
    /// 5 % of the mean gap; the mean ablation is reported beside it, agreeing or not.
    /// </summary>
    public static string VerdictOf(CategoryEffect igOnly, CategoryEffect apOnly, double meanGap, double fraction)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (igOnly.Prompts == 0 && apOnly.Prompts == 0)
            return string.Create(inv, $"IG and AP pick the same top {fraction:P0} on every prompt: nothing to settle");
        double Share(double e, int prompts) => prompts == 0 || meanGap == 0 ? 0 : Math.Abs(e) / meanGap;
        double ig = Share(igOnly.JointResample, igOnly.Prompts), ap = Share(apOnly.JointResample, apOnly.Prompts);
        double igMean = Share(igOnly.JointMean, igOnly.Prompts), apMean = Share(apOnly.JointMean, apOnly.Prompts);
        string numbers = string.Create(inv, $"IG-only {ig:P0}, AP-only {ap:P0} of the gap under resample; {igMean:P0} and {apMean:P0} under mean ablation");
        if (Math.Max(ig, ap) < 0.05) return $"neither: each method's exclusive components move the metric by under 5 % of the gap ({numbers})";
        string? winner = ap >= 1.5 * ig ? "AP" : ig >= 1.5 * ap ? "IG" : null;
        if (winner is null) return $"both: the exclusive components of each matter comparably ({numbers})";
        bool meanAgrees = winner == "AP" ? apMean > igMean : igMean > apMean;
        return $"{winner}: its exclusive components matter more ({numbers}; mean ablation {(meanAgrees ? "agrees" : "does not agree")})";
    }
}
