using Concord.Methods.Pipeline;
using static System.FormattableString;
using System.Globalization;
using System.Text;
using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Structure;
using Concord.Studies;

namespace Concord.Studies.Outputs;

/// <summary>report.md's "AND / OR structure" section per task (with --direction both).</summary>
public static class StructureReport
{
    /// <summary>Strongest pairs listed per kind.</summary>
    public const int PairsShown = 5;

    private static string F(double v) => double.IsFinite(v) ? v.ToString("F2", CultureInfo.InvariantCulture) : "–";

    public static void Section(StringBuilder md, TaskOutcome outcome, string folder, PipelineOptions pipeline)
    {
        // The research question's pair (IG↔AP in the built-in catalogue) and its method with a completeness check (IG), named by the catalogue.
        var headline = Headline.Pair(pipeline);
        var checkedMethod = Headline.Checked(pipeline);
        if (outcome.Structure is not { } s) return;
        md.AppendLine("### AND / OR structure (both directions)");
        md.AppendLine();
        md.AppendLine(Invariant($"Medians over {s.KeptPrompts} of {s.Prompts} prompts ({s.LeftOut} with |G| below {Asymmetry.MinimumGapFraction:0.##} × the median left out)."));
        if (outcome.Opposite is { } opposite)
        {
            var pairs = opposite.Agreements.Where(p => (p.First, p.Second) == headline).ToList();
            if (pairs.Count > 0)
                md.AppendLine(Invariant($"Denoising {pairs[0].Label} Pearson r (median over prompts): {string.Join(", ", pairs.Select(p => Invariant($"{p.Space.Plural} {Report.Median(p, AgreementStatistic.Pearson)}")))}."));
        }
        md.AppendLine();
        md.AppendLine("| kind | AND-like | OR-like | AND pairs | OR pairs | pairs tested |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var k in s.Kinds)
            md.AppendLine(Invariant($"| {k.Kind.Plural} | {k.AndLike} | {k.OrLike} | {k.AndPairs} | {k.OrPairs} | {k.Pairs.Count} |"));
        md.AppendLine();
        foreach (var k in s.Kinds)
        {
            var ig = checkedMethod is null ? null : k.Of(checkedMethod);
            if (k.Candidates.Count > 0)
            {
                md.AppendLine(Invariant($"{k.Kind.Plural}: candidates by {k.CandidatesBy.DisplayName} (|A| ≥ {Asymmetry.CandidateAsymmetry}, max(n, d) ≥ {Asymmetry.CandidateShare}):"));
                md.AppendLine();
                md.AppendLine(Invariant($"| component | n | d | A | reads as | {checkedMethod?.DisplayName} n | {checkedMethod?.DisplayName} d |"));
                md.AppendLine("|---|---|---|---|---|---|---|");
                foreach (var c in k.Candidates.Take(10))
                {
                    var i = ig?.Of(c.Target);
                    md.AppendLine(Invariant($"| {c.Target.Label} | {F(c.Noise)} | {F(c.Denoise)} | {F(c.A)} | {(c.A > 0 ? "AND" : "OR")} | {(i is null ? "–" : F(i.Noise))} | {(i is null ? "–" : F(i.Denoise))} |"));
                }
                if (k.Candidates.Count > 10) md.AppendLine(Invariant($"\n… and {k.Candidates.Count - 10} more in agreement.json."));
                md.AppendLine();
            }
            else md.AppendLine(Invariant($"{k.Kind.Plural}: no candidate (no component with |A| ≥ {Asymmetry.CandidateAsymmetry} and max(n, d) ≥ {Asymmetry.CandidateShare}).\n"));
            if (k.Pairs.Count > 0)
            {
                md.AppendLine(Invariant($"Strongest of the {k.Pairs.Count} pairs of the top {k.Interacting.Count} {k.Kind.Plural} (joint noising):"));
                md.AppendLine();
                md.AppendLine("| pair | n_ij | I | gate | asymmetry |");
                md.AppendLine("|---|---|---|---|---|");
                foreach (var p in k.Strongest(PairsShown))
                    md.AppendLine(Invariant($"| {p.First.Label} + {p.Second.Label} | {F(p.Joint)} | {F(p.Interaction)} | {p.Gate} | {Confirmation(k.Confirmation(p))} |"));
                md.AppendLine();
            }
            md.AppendLine(Invariant($"![{k.Kind.Plural} n against d]({folder}/{StructurePlots.ScatterFile(k.Kind)})") +
                          (k.Pairs.Count > 0 ? Invariant($" ![{k.Kind.Plural} interactions]({folder}/{StructurePlots.HeatmapFile(k.Kind)})") : ""));
            md.AppendLine();
        }
    }

    private static string Confirmation(PairConfirmation c) => c switch
    {
        PairConfirmation.Confirms => "confirms both members' asymmetry",
        PairConfirmation.Contradicts => "contradicts a member's asymmetry",
        _ => "members not candidates",
    };

    /// <summary>Where along IG's path each layer's metric moves (every task IG ran on, both directions or one).</summary>
    /// <param name="splitFraction">Split IG's r when it ran (`--split-ig`); null otherwise.</param>
    public static void PathSection(StringBuilder md, IReadOnlyList<KindPath> paths, string folder, double? splitFraction = null)
    {
        if (paths.Count == 0) return;
        md.AppendLine("### Where along IG's path the metric moves");
        md.AppendLine();
        md.AppendLine("Median over prompts of the α at which F(a + α(a' − a)) has covered 10 %, 50 % and 90 % of F(a') − F(a) at that layer's hook " +
                      "(linear between the points IG evaluated; prompts with |F(a') − F(a)| below 0.05 × the layer's median left out). " +
                      "A layer whose 10 % and 90 % lie close together flips over a short stretch: a fixed rule starves it, the composite rule puts its nodes there.");
        md.AppendLine();
        bool split = paths.Any(p => p.Layers.Any(l => l.SplitAlpha is not null));
        md.AppendLine("| kind | layer | prompts | α 10 % | α 50 % | α 90 % |" + (split ? " split IG's split α |" : ""));
        md.AppendLine("|---|---|---|---|---|---|" + (split ? "---|" : ""));
        foreach (var kind in paths)
            foreach (var l in kind.Layers)
                md.AppendLine(Invariant($"| {kind.Kind.Plural} | {l.Layer} | {l.Prompts} | {A(l.Alpha10)} | {A(l.Alpha50)} | {A(l.Alpha90)} |") + (split ? Invariant($" {A(l.SplitAlpha)} |") : ""));
        md.AppendLine();
        if (split && splitFraction is double r)
        {
            md.AppendLine(Invariant($"Split IG (`--split-ig {r}`): each prompt's IG integrated only up to where F first covers {r} of F(a') − F(a) ") +
                Invariant($"(found to {AdaptiveComposite.SplitTolerance:G2} of progress between the points IG evaluated; the stretch from its piece's start has a 4-node rule of its own), ") +
                "its completeness checked against F there. The column is the median split point; the rest of the path is saturated. " +
                "Its agreement with AP and with IG is in the agreement table above; on whole MLP layers (aligned baseline) it is ≈ 1 by construction, not evidence: " +
                "a layer is one component there, so completeness makes its score F(split) − F(a) ≈ r·(F(a') − F(a)), proportional to AP's and IG's.");
            md.AppendLine();
        }
        md.AppendLine(string.Join(" ", paths.Select(p => Invariant($"![IG's path, {p.Kind.Plural}]({folder}/{StructurePlots.PathFile(p.Kind)})"))));
        md.AppendLine();
    }

    private static string A(double? alpha) => alpha is double a ? a.ToString("F3", CultureInfo.InvariantCulture) : "–";

    public static void HowToRead(StringBuilder md)
    {
        md.AppendLine("How to read the AND / OR structure: per prompt G = m(clean) − m(corrupted). A component's n = −AP_noising/G is the " +
                      "share of the gap lost when it alone is noised, d = AP_denoising/G the share recovered when it alone is restored; " +
                      "A = n − d is +1 for an AND input (noising either input breaks the behaviour, restoring one alone does not bring it back), " +
                      "−1 for an OR input (the other input still carries it), 0 for an additive one. IG moves every input at once, so it credits " +
                      "both inputs of a gate in both directions. For pairs, n_ij = −E({i, j})/G under joint noising and I = n_ij − n_i − n_j: " +
                      Invariant($"−1 AND, +1 OR, 0 additive (|I| ≥ {Interactions.Strong} counts as a gate). A pair confirms the asymmetry when its gate ") +
                      "matches both members' candidates (AND pair, A > 0; OR pair, A < 0).");
        md.AppendLine();
    }
}
