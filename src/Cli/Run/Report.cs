using Concord.Tasks.Models;
using System.Globalization;
using System.Text;
using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Methods.Components;
using Concord.Methods.Pipeline;
using Concord.Model;
using Concord.Tasks;

namespace Concord.Cli.Run;

/// <summary>report.md: the answer of the run for a reader, linking every table, plot and score file.</summary>
public static class Report
{
    public const string FileName = "report.md";

    public static void Write(RunSettings settings, ResolvedModel model, Gpt2Config config,
        IReadOnlyList<(TaskKind Kind, TaskDataset Dataset, TaskAnalysis Analysis, TimeSpan Time)> tasks, IReadOnlyList<DatasetRecord> datasets, TimeSpan wall)
    {
        var md = new StringBuilder();
        md.AppendLine("# Concord report: when do IG and AP agree?");
        md.AppendLine();
        md.AppendLine($"Generated {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; wall time {wall.TotalMinutes:F1} min. " +
                      $"Provenance (Concord version, model and data by SHA-256, every option, machine): [{RunRecord.FileName}]({RunRecord.FileName}).");
        md.AppendLine();
        md.AppendLine("## Model");
        md.AppendLine();
        md.AppendLine($"{model.Description}: {config.NLayer} layers × {config.NHead} heads, d_model {config.NEmbd}, {config.ParameterCount:N0} parameters; " +
                      $"weights SHA-256 `{model.Identity.WeightsSha256[..16]}…`.");
        if (model.IsRandom)
        {
            md.AppendLine();
            md.AppendLine("> **This is a random model.** The numbers below exercise the machinery (completeness, agreement statistics, plots); " +
                          "they say nothing about GPT-2. Download GPT-2 small (`concord model download gpt2`) or pass `--model` for real results.");
        }
        if (model.Kind == ModelKind.Trained)
        {
            md.AppendLine();
            md.AppendLine("> **A small model trained by Concord to perform the six tasks, not GPT-2.** The numbers below say how IG and AP behave on a model " +
                          $"that implements the behaviours; they do not say which components of GPT-2 do. Its model card: `{Path.Combine(model.Folder, Tasks.Training.ModelCard.FileName)}`.");
            if (model.Evaluation is { } evaluation)
            {
                md.AppendLine();
                md.AppendLine("How well it performs each task (its `eval.json`, from `concord model eval`):");
                md.AppendLine();
                md.Append(Tasks.Evaluation.EvaluationFile.Markdown(evaluation));
            }
        }
        md.AppendLine();
        md.AppendLine("## Options");
        md.AppendLine();
        md.AppendLine("| option | value |");
        md.AppendLine("|---|---|");
        foreach (var (name, value) in settings.Describe()) md.AppendLine($"| {name} | {value} |");
        md.AppendLine();

        md.AppendLine("## Summary");
        md.AppendLine();
        md.AppendLine("Median across prompts of per-prompt statistics over one component kind (scores of different kinds are never pooled). " +
                      "IG↔AP is the research question; AtP↔AP shows how far the first-order approximation gets.");
        md.AppendLine();
        md.AppendLine("| task | components | IG↔AP Pearson r | IG↔AP Spearman ρ | IG↔AP Kendall τ-b | IG↔AP top-k Jaccard | IG↔AP sign | AtP↔AP r | IG completeness error (max) |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var (kind, _, analysis, _) in tasks)
            foreach (var component in settings.Pipeline.Kinds)
            {
                var igAp = analysis.Agreements.FirstOrDefault(a => a.Kind == component && a.First == Method.Ig && a.Second == Method.Ap);
                var atpAp = analysis.Agreements.FirstOrDefault(a => a.Kind == component && a.First == Method.Atp && a.Second == Method.Ap);
                var completeness = analysis.Convergence.Where(c => c.Kind == component).Select(c => c.MaxAbsDelta).DefaultIfEmpty(double.NaN).Max();
                if (igAp is not null && TaskOutputs.EqualByConstruction(igAp, settings))
                    md.AppendLine($"| {kind.Id()} | {component.Id()} | equal by construction ¹ | | | | | {Median(atpAp, s => s.Pearson)} | {Num(completeness, "E1")} |");
                else
                    md.AppendLine($"| {kind.Id()} | {component.Id()} | {Median(igAp, s => s.Pearson)} | {Median(igAp, s => s.Spearman)} | {Median(igAp, s => s.Kendall)} | " +
                                  $"{Median(igAp, s => s.Jaccard)} | {Median(igAp, s => s.Sign)} | {Median(atpAp, s => s.Pearson)} | {Num(completeness, "E1")} |");
            }
        md.AppendLine();
        if (settings.Pipeline.Kinds.Contains(ComponentKind.Mlp) && !settings.Attribution.PerPosition && settings.Attribution.Baseline == Baseline.Aligned)
        {
            md.AppendLine("¹ A whole MLP layer is one component, so completeness makes its IG score F(a') − F(a), which is also its AP score: " +
                          "IG and AP agree there up to the quadrature error by construction, and that agreement is no evidence. " +
                          "Where the methods can differ for MLPs is per position: run with `--per-position`.");
            md.AppendLine();
        }

        foreach (var (kind, dataset, analysis, time) in tasks) Task(md, settings, kind, dataset, analysis, datasets.First(d => d.Kind == kind), time);

        md.AppendLine("## How to read this report");
        md.AppendLine();
        md.AppendLine("- **Scores** are raw effects in metric units (logit or probability difference), one per prompt and component: " +
                      $"AP = F(a with the component set to a') − F(a); IG integrates the gradient along {(Zero(settings) ? "0 → a'" : "a → a'")} and sums over the component's slice; AtP is the first-order term. " +
                      (settings.Attribution.Direction == Direction.Noising
                          ? "This run is **noising**: F is the clean run's metric, a the clean activation and a' the corrupted one, so scores are typically negative where a component carries the behaviour."
                          : "This run is **denoising**: F is the corrupted run's metric, a the corrupted activation and a' the clean one, so scores are typically positive where a component carries the behaviour."));
        if (Zero(settings))
            md.AppendLine("- **Zero baseline**: IG starts at 0, not at a, so its scores sum to F(a') − F(0), while AP's effects refer to F(a') − F(a); " +
                          "the two methods answer different questions here, which is the contrast the study starts from.");
        md.AppendLine("- **Agreement** is computed per prompt over the components of one kind, then summarised (mean ± sd, median). " +
                      "`undefined` counts prompts where a statistic does not exist (e.g. every score equal).");
        md.AppendLine("- **Pooled** statistics use every prompt–component pair at once; the **normalised** view first divides both methods' scores of a prompt by " +
                      $"the same denominator, that prompt's F(a') − F(a) = {(settings.Attribution.Direction == Direction.Noising ? "F(corrupted) − F(clean), negative for a model that shows the behaviour" : "F(clean) − F(corrupted), positive for a model that shows the behaviour")}, " +
                      $"so large-effect prompts do not dominate (per-prompt statistics are unchanged by it); prompts with |F(a') − F(a)| below {TaskAnalysis.NormalisedMinimumFraction} × the task's median are left out of it and counted.");
        md.AppendLine($"- **IG completeness error** is |Σ_c IG_c − ({FullEffect(settings)})|, the quadrature error; it should be small next to the metric differences above.");
        md.AppendLine("- **Heatmaps** show layer × head mean scores of IG and AP on one symmetric colour scale (red positive, blue negative; layer 0 at the top). " +
                      "**Sweep** plots agreement against s, where AP patches in a + sΔ: as s → 0 the two methods converge to s·AtP.");
        md.AppendLine("- Each task's `scores.csv` has columns `prompt,layer,kind,index,position,method,score` (prompt = dataset row) and `agreement.json` every statistic per prompt.");
        AtomicFile.WriteAllText(Path.Combine(settings.Out, FileName), md.ToString());
    }

    private static void Task(StringBuilder md, RunSettings settings, TaskKind kind, TaskDataset dataset, TaskAnalysis analysis, DatasetRecord record, TimeSpan time)
    {
        string folder = kind.Id();
        int prompts = analysis.Result.Batches.Sum(b => b.Rows.Length);
        md.AppendLine($"## {kind.Id()}");
        md.AppendLine();
        md.AppendLine($"{prompts} prompts from `{dataset.File}` ({dataset.RowsRead} rows{(dataset.Dropped.Count > 0 ? $", {dataset.DroppedDescription}" : "")}); " +
                      $"metric: {Describe(dataset.Readout)}; {time.TotalSeconds:F0} s.");
        md.AppendLine();
        if (record.Filtered)
            md.AppendLine($"Behaviour filter ({record.Sample.Rule}): {record.Sample.Kept.Count} prompts kept, {record.Sample.Dropped.Count} dropped " +
                          $"(rows in [{RunRecord.FileName}]({RunRecord.FileName})); `--no-filter` keeps them.");
        else
            md.AppendLine(settings.NoFilter ? "Behaviour filter: off (`--no-filter`)." : "Behaviour filter: off (a random model shows no behaviour to filter on).");
        md.AppendLine();
        md.AppendLine($"Metric on clean prompts {analysis.CleanMetric.Text}; on corrupted prompts {analysis.CorruptedMetric.Text}.");
        md.AppendLine();
        md.AppendLine("| components | pair | Pearson r | Spearman ρ | Kendall τ-b | top-k Jaccard | sign agreement | pooled r | pooled r, normalised |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var p in analysis.Agreements)
            if (TaskOutputs.EqualByConstruction(p, settings))
                md.AppendLine($"| {p.Kind.Id()} ({p.Components}) | {p.Label} | equal by construction (completeness; see ¹ above) | | | | | | |");
            else
                md.AppendLine($"| {p.Kind.Id()} ({p.Components}, k = {p.TopK}) | {p.Label} | {Cell(p.AcrossPrompts.Pearson)} | {Cell(p.AcrossPrompts.Spearman)} | {Cell(p.AcrossPrompts.Kendall)} | {Cell(p.AcrossPrompts.Jaccard)} | {Cell(p.AcrossPrompts.Sign)} | {p.Pooled.Pearson} | {p.Normalised?.Pooled.Pearson} |");
        var exclusion = analysis.NormalisedExclusion;
        if (exclusion.Excluded > 0)
        {
            md.AppendLine();
            md.AppendLine($"Normalised pooled r leaves out {exclusion.Excluded} of {exclusion.Prompts} prompts whose |F(a') − F(a)| is below {exclusion.Threshold:G3} " +
                          $"({TaskAnalysis.NormalisedMinimumFraction} × the median): dividing by a near-zero effect would let round-off dominate.");
        }
        md.AppendLine();
        if (analysis.Convergence.Count > 0)
        {
            md.AppendLine($"IG completeness error by layer, max |Σ IG − ({FullEffect(settings)})| over prompts (largest |{FullEffect(settings)}| in brackets):");
            md.AppendLine();
            md.AppendLine("| components | " + string.Join(" | ", analysis.Convergence.Select(c => c.Layer).Distinct().Select(l => $"L{l}")) + " |");
            md.AppendLine("|---|" + string.Concat(analysis.Convergence.Select(c => c.Layer).Distinct().Select(_ => "---|")));
            foreach (var group in analysis.Convergence.GroupBy(c => c.Kind))
                md.AppendLine($"| {group.Key.Id()} | " + string.Join(" | ", group.Select(c => $"{Num(c.MaxAbsDelta, "E1")} ({Num(c.MaxAbsExpected, "F3")})" +
                    (settings.Attribution.IgTolerance is null ? "" : $", {c.StepsText} nodes"))) + " |");
            md.AppendLine();
        }
        foreach (var image in Plots.Files(settings))
            if (File.Exists(Path.Combine(settings.Out, folder, image.File)))
            {
                md.AppendLine($"![{image.Caption}]({folder}/{image.File})");
                md.AppendLine();
            }
        if (analysis.Sweep.Count > 0)
        {
            md.AppendLine("Similarity sweep (median Pearson r across prompts):");
            md.AppendLine();
            md.AppendLine("| components | s | IG↔AP | AP↔s·AtP | IG↔s·AtP |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var s in analysis.Sweep)
                md.AppendLine($"| {s.Kind.Id()} | {s.Scale.ToString(CultureInfo.InvariantCulture)} | {Median(s.IgAp, s => s.Pearson)} | {Median(s.ApAtp, s => s.Pearson)} | {Median(s.IgAtp, s => s.Pearson)} |");
            md.AppendLine();
        }
        var worst = analysis.Agreements.FirstOrDefault(a => a.First == Method.Ig && a.Second == Method.Ap && a.Kind == ComponentKind.Head)
                    ?? analysis.Agreements.FirstOrDefault(a => a.First == Method.Ig && a.Second == Method.Ap);
        if (worst is not null)
        {
            md.AppendLine($"Largest IG–AP disagreements ({worst.Kind.Id()}):");
            md.AppendLine();
            md.AppendLine("| row | component | IG | AP |");
            md.AppendLine("|---|---|---|---|");
            foreach (var d in worst.LargestDisagreements.Take(5)) md.AppendLine($"| {d.Prompt} | {d.Component.Label} | {d.First:F4} | {d.Second:F4} |");
            md.AppendLine();
        }
        md.AppendLine($"Files: [{TaskOutputs.ScoresFile}]({folder}/{TaskOutputs.ScoresFile}), [{TaskOutputs.AgreementFile}]({folder}/{TaskOutputs.AgreementFile}).");
        md.AppendLine();
    }

    private static bool Zero(RunSettings settings) => settings.Attribution.Baseline == Baseline.Zero;

    /// <summary>What IG's scores sum to: F(a') − F(a) from the aligned baseline, F(a') − F(0) from zero.</summary>
    private static string FullEffect(RunSettings settings) => Zero(settings) ? "F(a') − F(0)" : "F(a') − F(a)";

    private static string Describe(MetricReadout readout) => readout == MetricReadout.LogitDifference ? "logit difference" : "probability difference";

    private static string Cell(Summary s)
    {
        return s.Defined == 0 ? $"undefined ({s.Undefined})" : $"{s.Mean:F3} ± {s.StandardDeviation:F3} (median {s.Median:F3}){(s.Undefined > 0 ? $", {s.Undefined} undefined" : "")}";
    }

    public static string Median(PairAgreement? p, Func<AgreementSummaries, Summary> statistic) =>
        p is null ? "–" : statistic(p.AcrossPrompts) is { Defined: > 0 } s ? s.Median.ToString("F3", CultureInfo.InvariantCulture) : "undefined";

    private static string Num(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";
}
