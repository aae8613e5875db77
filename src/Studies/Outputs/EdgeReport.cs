using System.Globalization;
using System.Text;
using Concord.Methods.Edges;
using static System.FormattableString;

namespace Concord.Studies.Outputs;

/// <summary>report.md's edge section of a task: agreement of the edge methods, edge IG's completeness, and the strongest path.</summary>
public static class EdgeReport
{
    public static void Section(StringBuilder md, TaskOutcome outcome, double topFraction, string folder, EdgeOptions? options)
    {
        if (outcome.Edges is not { } edges) return;
        var graph = edges.Graph;
        md.AppendLine(Invariant($"**Edges** ({graph.EdgeCount:N0} edges of EAP-IG's graph, {edges.Prompts} prompts; methods {string.Join(", ", edges.Methods)}):"));
        md.AppendLine();
        var pairs = edges.Pairs.Select(p => EdgePairAgreement.Of(edges.Scores[p.First], edges.Scores[p.Second], topFraction)).ToList();
        if (pairs.Count > 0)
        {
            md.AppendLine(Invariant($"| pair | Spearman (median over prompts) | Pearson (median) | top-{topFraction:P0} Jaccard (median) | pooled Spearman |"));
            md.AppendLine("|---|---|---|---|---|");
            foreach (var a in pairs)
                md.AppendLine(Invariant($"| {a.First}–{a.Second} | {a.Spearman.Median:F3} | {a.Pearson.Median:F3} | {a.Jaccard.Median:F3} | {a.PooledSpearman} |"));
            md.AppendLine();
        }
        if (edges.Completeness.Count > 0 && edges.Catalogue.FirstOrDefault(m => m.HasCompleteness && edges.Methods.Contains(m.Id())) is { } checkedMethod)
        {
            string name = checkedMethod.DisplayName;
            double worst = edges.Completeness.SelectMany(c => c.Delta).Max(Math.Abs);
            md.AppendLine(edges.CompletenessMet
                ? Invariant($"Edge {name} is complete on every prompt (Σ_e {name}_e = m(other) − m(base) within τ; largest |Σ_e {name}_e − ΔF| {worst:E1} in metric units, {edges.Completeness.Max(c => c.Evaluations)} gradient evaluations at most per batch).")
                : Invariant($"Edge {name} did not converge on every batch ({string.Join("; ", edges.Completeness.Where(c => c.Stopped is not null).Select(c => c.Stopped))}): its agreement is not evidence."));
            md.AppendLine();
        }
        if (edges.Faithfulness is { } faithfulness) Faithfulness(md, faithfulness);
        string reference = edges.Reference;
        if (options is not null)
        {
            md.AppendLine(Invariant($"![{reference} circuit]({folder}/{EdgeCircuitExporter.FileStem(reference)}.png)"));
            md.AppendLine();
            md.AppendLine(Invariant($"Circuits (top {options.CircuitPercent:G} % of edges by |score|, pruned as EAP-IG prunes) as EAP-IG/MIB graph JSON, Graphviz DOT and PNG: ")
                + string.Join(", ", edges.Methods.Select(m => $"[{m}]({folder}/{EdgeCircuitExporter.FileStem(m)}.json) ([dot]({folder}/{EdgeCircuitExporter.FileStem(m)}.dot), [png]({folder}/{EdgeCircuitExporter.FileStem(m)}.png))")) + ".");
            md.AppendLine();
        }
        var path = StrongestPath.Of(edges, reference);
        md.AppendLine(Invariant($"The strongest path by {reference} (from the input to the logits, each step the in-edge of largest |{reference}| into the node above; prompt means):"));
        md.AppendLine();
        md.AppendLine("| edge | " + string.Join(" | ", path.Scores.Keys) + " |");
        md.AppendLine("|---|" + string.Concat(path.Scores.Keys.Select(_ => "---|")));
        for (int i = 0; i < path.Edges.Count; i++)
            md.AppendLine($"| {graph[path.Edges[i]].Name} | " + string.Join(" | ", path.Scores.Values.Select(v => Invariant($"{v[i]:F4}"))) + " |");
        md.AppendLine();
        // The serial-path effect: the reference patches, a method with a completeness check integrates.
        var catalogue = edges.Catalogue;
        if (path.Scores.TryGetValue(catalogue.Reference.Id(), out var patched) && path.Edges.Count > 1
            && catalogue.FirstOrDefault(m => m.HasCompleteness && path.Scores.ContainsKey(m.Id())) is { } complete)
        {
            var (p, c) = (catalogue.Reference.DisplayName, complete.DisplayName);
            md.AppendLine(Invariant($"Along this path {p} sums to {patched.Sum():F4} and {c} to {path.Scores[complete.Id()].Sum():F4}: patching any one edge of a serial path removes what flows through all of it, so {p} credits each edge with (up to) the whole effect, while {c}'s completeness makes the edges in series share it."));
            md.AppendLine();
        }
    }

    private static void Faithfulness(StringBuilder md, EdgeFaithfulnessResult f)
    {
        if (f.Undefined is { } why)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Edge faithfulness is undefined: {why}.");
            md.AppendLine();
            return;
        }
        md.AppendLine(Invariant($"Faithfulness at edges (MIB: every edge outside the pruned circuit moved to z̃; m̄(full) = {f.MetricFull:F3}, m̄(∅) = {f.MetricEmpty:F3}; CPR higher is better, CMD lower is better):"));
        md.AppendLine();
        var sizes = f.Curves.FirstOrDefault()?.Rows.Select(r => r.RequestedPercent).ToList() ?? [];
        md.AppendLine("| method | ranking | CPR | CPR 95 % | CMD | " + string.Join(" | ", sizes.Select(p => Invariant($"f @ {p:G} %"))) + " |");
        md.AppendLine("|---|---|---|---|---|" + string.Concat(sizes.Select(_ => "---|")));
        foreach (var c in f.Curves)
            md.AppendLine(Invariant($"| {c.Method} | {c.Ranking.ToString().ToLowerInvariant()} | {c.Cpr:F3} | {(c.CprInterval is { } ci ? Invariant($"[{ci.Low:F3}, {ci.High:F3}]") : "–")} | {c.Cmd:F3} | ")
                + string.Join(" | ", c.Rows.Select(r => Invariant($"{r.Faithfulness:F2} ({r.EdgeCount})"))) + " |");
        if (f.Random is { } random)
            md.AppendLine(Invariant($"| random ({random.Seeds.Count} seeds) | signed | {random.MeanCpr:F3} | [{random.Curves.Min(c => c.Cpr):F3}, {random.Curves.Max(c => c.Cpr):F3}] (range) | {random.MeanCmd:F3} | ")
                + string.Join(" | ", sizes.Select((_, i) => Invariant($"{random.Curves.Average(c => c.Rows[i].Faithfulness):F2}"))) + " |");
        md.AppendLine();
        md.AppendLine(Invariant($"In brackets: the edges the circuit kept after pruning (nodes without an in- or out-edge in it are dropped, to a fixed point), out of the size asked for. CPR 95 %: percentiles of {EdgeFaithfulness.BootstrapSamples} bootstrap resamples of the prompts, the rankings fixed."));
        md.AppendLine();
    }
}
