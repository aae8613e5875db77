using System.Globalization;
using static System.FormattableString;
using System.Text;
using Concord.Methods.Targets;
using Concord.Methods.Interventions;
using Concord.Studies;
using Concord.Methods.Verification;

namespace Concord.Studies.Outputs;

/// <summary>report.md's verification by intervention: CPR/CMD per method and kind, the disagreement categories and the verdicts.</summary>
public static class VerificationReport
{
    /// <summary>The summary's cell: the method with the largest CPR (signed ranking) per kind, "≈" when the runner-up lies inside its interval.</summary>
    public static string MostFaithful(TaskVerification? v, TargetSpace kind, Methods.Attribution.MethodCatalogue methods)
    {
        var f = v?.Kinds.FirstOrDefault(k => k.Kind == kind)?.Faithfulness;
        if (f is null) return "–";
        if (f.Undefined is not null) return "undefined";
        if (f.MostFaithful() is not { } best) return f.ShareOfGap is double g ? Invariant($"– ({g:P0} of gap)") : "–";
        string name = Invariant($"{Name(methods, best.Method)}{(best.TiedWith is null ? "" : Invariant($" ≈ {Name(methods, best.TiedWith)}"))} ({best.Cpr:F2})");
        return best.AboveChance ? name : Invariant($"none above chance ({name})");
    }

    /// <summary>A method as the literature writes it (AtP, split IG), from the id the verification keeps.</summary>
    public static string Name(Methods.Attribution.MethodCatalogue methods, string id) => methods.FirstOrDefault(m => m.Id() == id)?.DisplayName ?? id.ToUpperInvariant();

    public static void Section(StringBuilder md, TaskOutcome outcome, string folder, Methods.Attribution.MethodCatalogue methods)
    {
        if (outcome.Verification is not { } v) return;
        md.AppendLine(Invariant($"### Verification by intervention ({v.Ablation.Id()} ablation outside the circuit)"));
        md.AppendLine();
        foreach (var kind in v.Kinds)
        {
            if (kind.Faithfulness is { } f)
            {
                if (f.Undefined is not null)
                {
                    md.AppendLine(Invariant($"{kind.Kind.Plural}: faithfulness {f.Undefined}."));
                    md.AppendLine();
                }
                else
                {
                    string share = f.ShareOfGap is double g ? Invariant($", so the whole kind carries {g:P0} of the mean gap") : "";
                    md.AppendLine(Invariant($"Faithfulness of each method's top {kind.Kind.Plural} ({f.Components} components; m(full) {f.MetricFull:F3}, m(empty circuit) {f.MetricEmpty:F3}{share}); ") +
                                  "CPR = ∫ f dk (1 = the circuit does all the work; higher is better), CMD = ∫ |1 − f| dk (lower is better), 95 % bootstrap interval over prompts:");
                    md.AppendLine();
                    md.AppendLine("| method | ranking | CPR | CPR 95 % | CMD | f at " + string.Join(" | ", f.Curves[0].Points.Skip(1).SkipLast(1).Select(p => Invariant($"{p.Size}"))) + " |");
                    md.AppendLine("|---|---|---|---|---|" + string.Concat(f.Curves[0].Points.Skip(1).SkipLast(1).Select(_ => "---|")));
                    foreach (var c in f.Curves)
                        md.AppendLine(Invariant($"| {Name(methods, c.Method)} | {c.Ranking.Id()} | {c.Cpr:F3} | {(c.CprInterval is { } ci ? Invariant($"[{ci.Low:F3}, {ci.High:F3}]") : "–")} | {c.Cmd:F3} | ") +
                                      string.Join(" | ", c.Points.Skip(1).SkipLast(1).Select(p => p.Faithfulness.ToString("F2", System.Globalization.CultureInfo.InvariantCulture))) + " |");
                    if (f.Random is { } r)
                        md.AppendLine(Invariant($"| random ({r.Rankings}) | – | {r.MeanCpr:F3} ± {r.SdCpr:F3} | [{r.MinCpr:F3}, {r.MaxCpr:F3}] (range) | {r.MeanCmd:F3} | ") +
                                      string.Join(" | ", r.Mean.Skip(1).SkipLast(1).Select(p => p.Faithfulness.ToString("F2", System.Globalization.CultureInfo.InvariantCulture))) + " |");
                    md.AppendLine();
                    if (f.ShareOfGap is double small && Math.Abs(small) < KindFaithfulness.SmallShare)
                    {
                        md.AppendLine(Invariant($"> Ablating every {kind.Kind.Plural[..^1]} moves the metric by only {small:P1} of the gap: f is a ratio of small differences here, so read the intervals, not the CPRs."));
                        md.AppendLine();
                    }
                    var image = VerificationPlots.File(kind.Kind);
                    md.AppendLine(Invariant($"![faithfulness of {kind.Kind.Plural}]({folder}/{image})"));
                    md.AppendLine();
                }
            }
            if (kind.Disagreements is { } d)
            {
                md.AppendLine(Invariant($"Disagreements verified ({kind.Kind.Plural}; \"high\" = a method's top {v.Options.HighFraction:P0} by |score| within the prompt; E(S) = m(S) − m(∅) with every member of S replaced at once; mean gap |m(clean) − m(corrupted)| = {d.MeanGap:F3}):"));
                md.AppendLine();
                bool isolated = d.Categories.Any(c => c.IsolatedMean is not null);
                md.AppendLine("| category | prompts | mean size | joint E, resample | mean \\|E\\|, resample | joint E, mean | mean \\|E\\|, mean |" + (isolated ? " mean isolated E, mean |" : ""));
                md.AppendLine("|---|---|---|---|---|---|---|" + (isolated ? "---|" : ""));
                foreach (var c in d.Categories)
                    md.AppendLine(Invariant($"| {c.Category.Label()} | {c.Prompts} | {c.MeanSize:F1} | {c.JointResample:F4} | {c.MeanAbsResample:F4} | {c.JointMean:F4} | {c.MeanAbsMean:F4} |") + (isolated ? Invariant($" {(c.IsolatedMean is double iso ? iso.ToString("F4", CultureInfo.InvariantCulture) : "–")} |") : ""));
                md.AppendLine();
                md.AppendLine(Invariant($"**Verdict ({kind.Kind.Plural}):** {d.Verdict}."));
                md.AppendLine();
            }
            if (kind.Predictiveness.Count > 0)
            {
                md.AppendLine(Invariant($"Predictiveness of the isolated mean-ablation effect ({kind.Kind.Plural}; pooled over prompts and components; under resample the isolated effect *is* AP: equal by construction, no statistic): ") +
                              string.Join("; ", kind.Predictiveness.Select(p => Invariant($"{Name(methods, p.Method)} r {p.Pearson}, ρ {p.Spearman}"))) + ".");
                md.AppendLine();
            }
        }
    }

    public static void HowToRead(StringBuilder md)
    {
        md.AppendLine("- **Faithfulness** (MIB's circuit track, node level): a method's ranking keeps its top k of a kind's components; every other component of that kind is " +
                      "ablated at once; f(k) = (m̄(circuit) − m̄(empty circuit)) / (m̄(full model) − m̄(empty circuit)), with m̄ the mean metric over prompts. " +
                      "f runs from exactly 0 (nothing kept) to exactly 1 (nothing ablated); a faithful ranking reaches 1 with few components. " +
                      "Read a method's CPR against the random band: a CPR inside it is no better than chance. Circuits hold ⌈k·N⌉ components (at least one), " +
                      "and the curve is integrated over the share they actually are.");
        md.AppendLine("- **Disagreements verified**: per prompt, the components IG ranks high but AP does not (and the reverse) are ablated together; the method whose exclusive " +
                      "components move the metric more is the one the interventions support. Under resample a single component's effect is its AP score by definition, so resample " +
                      "evidence leans towards AP; a method is named only when resample and mean ablation agree (its exclusive set's mean |E| at least " +
                      Invariant($"{KindDisagreements.Dominance}× the other's and at least {KindDisagreements.Negligible:P0} of the gap under both), otherwise \"undecided\"."));
        md.AppendLine("- **Which components**: neuron circuits are drawn from AP's `--neurons` sample (the empty circuit ablates that sample, not every neuron); " +
                      "per position, from the positions every batch has. \"Most faithful\" is the largest signed-ranking CPR, \"≈\" when the runner-up lies in its " +
                      Invariant($"interval, \"none above chance\" when it does not beat every random ranking, and \"–\" when the whole kind carries under {KindFaithfulness.SmallShare:P0} of the gap."));
    }
}
