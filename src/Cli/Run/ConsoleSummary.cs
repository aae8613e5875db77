using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Methods.Components;
using Concord.Methods.Pipeline;
using Concord.Tasks;
using Spectre.Console;

namespace Concord.Cli.Run;

/// <summary>The console table at the end of a run: per task and component kind, the median agreement across prompts.</summary>
public static class ConsoleSummary
{
    public static void Print(IReadOnlyList<(TaskKind Kind, TaskAnalysis Analysis)> tasks, RunSettings settings)
    {
        var table = new Table().Border(TableBorder.Ascii2).Title("median across prompts");
        foreach (var column in new[] { "task", "components", "IG↔AP r", "IG↔AP ρ", "IG↔AP τ", "IG↔AP top-k J", "AtP↔AP r", "IG↔AtP r", "IG compl. err" })
            table.AddColumn(column);
        foreach (var (kind, analysis) in tasks)
            foreach (var component in analysis.Agreements.Select(a => a.Kind).Distinct())
            {
                PairAgreement? Pair(Method a, Method b) => analysis.Agreements.FirstOrDefault(p => p.Kind == component && p.First == a && p.Second == b);
                var igAp = Pair(Method.Ig, Method.Ap);
                double completeness = analysis.Convergence.Where(c => c.Kind == component).Select(c => c.MaxAbsDelta).DefaultIfEmpty(double.NaN).Max();
                bool identity = igAp is not null && TaskOutputs.EqualByConstruction(igAp, settings);
                string IgAp(Func<Concord.Methods.Agreement.AgreementSummaries, Concord.Methods.Agreement.Summary> s) => identity ? "= by constr." : Report.Median(igAp, s);
                table.AddRow(kind.Id(), component.Id(),
                    IgAp(s => s.Pearson), IgAp(s => s.Spearman), IgAp(s => s.Kendall), IgAp(s => s.Jaccard),
                    Report.Median(Pair(Method.Atp, Method.Ap), s => s.Pearson), Report.Median(Pair(Method.Ig, Method.Atp), s => s.Pearson),
                    double.IsFinite(completeness) ? completeness.ToString("E1") : "–");
            }
        // Redirected output has no terminal width; a wide table beats one wrapped into unreadable cells.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 150);
        AnsiConsole.Write(table);
    }
}
