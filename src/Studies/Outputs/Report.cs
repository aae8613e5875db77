using static System.FormattableString;
using Concord.Tasks.Models;
using System.Globalization;
using System.Text;
using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Model;
using Concord.Tasks;
using Concord.Studies;

namespace Concord.Studies.Outputs;

/// <summary>report.md: the answer of the run for a reader, linking every table, plot and score file.</summary>
public static class Report
{
    public const string FileName = "report.md";

    /// <summary>
    /// report.md's text. Every number is formatted in the invariant culture (each interpolation
    /// through <see cref="FormattableString.Invariant"/>, each ToString with the culture named), whatever
    /// the thread's culture, which the report leaves alone: a report is read and diffed on other
    /// machines, and one "0,05" among "0.999"s is a misreading waiting to happen.
    /// </summary>
    public static string Text(Study study, StudyOutput output, StudyOutcome result, TimeSpan wall, DateTime generated) =>
        Compose(study, output, result, wall, generated);

    private static string Compose(Study study, StudyOutput output, StudyOutcome result, TimeSpan wall, DateTime generated)
    {
        var (model, config, pipeline) = (study.ResolvedModel, study.Model.Config, study.Options.Pipeline);
        var tasks = result.Tasks.Where(t => t.Analysis is not null).ToList();
        var md = new StringBuilder();
        md.AppendLine(Headline.Pair(pipeline) is { } question ? Invariant($"# Concord report: when do {question.First.DisplayName} and {question.Second.DisplayName} agree?") : "# Concord report");
        md.AppendLine();
        md.AppendLine(Invariant($"Generated {generated:yyyy-MM-dd HH:mm} UTC; wall time {wall.TotalMinutes:F1} min. ") +
                      Invariant($"Provenance (Concord version, model and data by SHA-256, every option, machine): [{RunRecord.FileName}]({RunRecord.FileName})."));
        md.AppendLine();
        md.AppendLine("## Model");
        md.AppendLine();
        md.AppendLine(Invariant($"{model.Description}: {config.NLayer} layers × {config.NHead} heads, d_model {config.NEmbd}, {config.ParameterCount:N0} parameters; ") +
                      Invariant($"weights SHA-256 `{model.Identity.WeightsSha256[..16]}…`."));
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
                          Invariant($"that implements the behaviours; they do not say which components of GPT-2 do. Its model card: `{Path.Combine(model.Folder, Tasks.Training.ModelCard.FileName)}`."));
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
        foreach (var (name, value) in StudyDescription.Rows(study)) md.AppendLine(Invariant($"| {name} | {value} |"));
        md.AppendLine();

        md.AppendLine("## Summary");
        md.AppendLine();
        var pairs = pipeline.MethodCatalogue.Pairs(pipeline.Methods);
        var summary = pipeline.StatisticCatalogue.InSummary;
        md.AppendLine("Median across prompts of per-prompt statistics over one component kind (scores of different kinds are never pooled). " +
                      (pairs.Count > 0 ? Invariant($"{Label(pairs[0])} is the research question") + (pairs.Count > 1 ? Invariant($"; the other pairs show how far the others get ({string.Join(", ", pairs.Skip(1).Select(Label))}).") : ".") : ""));
        md.AppendLine();
        if (pairs.Count > 0)
        {
            bool verified = tasks.Any(t => t.Verification is not null);
            var checkedMethod = Headline.Checked(pipeline);
            var columns = summary.Select(st => Invariant($"{Label(pairs[0])} {st.DisplayName}")).Concat(pairs.Skip(1).Select(p => Invariant($"{Label(p)} r")))
                .Concat(checkedMethod is null ? [] : [Invariant($"{checkedMethod.DisplayName} completeness error (max)")])
                .Concat(verified ? ["most faithful (CPR)"] : []).ToList();
            md.AppendLine("| task | components | " + string.Join(" | ", columns) + " |");
            md.AppendLine("|---|---|" + string.Concat(columns.Select(_ => "---|")));
            foreach (var task in tasks)
                foreach (var component in pipeline.Spaces)
                {
                    var analysis = task.Analysis!;
                    PairAgreement? Find((Method First, Method Second) p) => analysis.Agreements.FirstOrDefault(a => a.Space == component && a.First == p.First && a.Second == p.Second);
                    var headline = Find(pairs[0]);
                    var completeness = Headline.CompletenessError(analysis, checkedMethod, component);
                    var cells = headline is not null && TaskAnalysis.EqualByConstruction(headline, pipeline)
                        ? summary.Select((_, i) => i == 0 ? "equal by construction ¹" : "")
                        : headline is not null && !analysis.IsEvidence(headline)
                            ? summary.Select((_, i) => i == 0 ? analysis.NotConverged(headline)!.Text : "")
                            : summary.Select(st => Median(headline, st));
                    md.AppendLine(Invariant($"| {task.Task.Kind.Id()} | {component.Id()} | ") + string.Join(" | ",
                        cells.Concat(pairs.Skip(1).Select(p => Find(p) is { } other && !analysis.IsEvidence(other) ? "not converged" : Median(Find(p), AgreementStatistic.Pearson)))
                            .Concat(checkedMethod is null ? [] : [Num(completeness, "E1")]).Concat(verified ? [VerificationReport.MostFaithful(task.Verification, component, pipeline.MethodCatalogue)] : [])) + " |");
                }
        }
        md.AppendLine();
        if (tasks.Any(t => t.Analysis!.Agreements.Any(a => TaskAnalysis.EqualByConstruction(a, pipeline))))
        {
            md.AppendLine("¹ A whole MLP layer is one component, so completeness makes its IG score F(a') − F(a), which is also its AP score: " +
                          "IG and AP agree there up to the quadrature error by construction, and that agreement is no evidence. " +
                          "Where the methods can differ for MLPs is per position: run with `--per-position`.");
            md.AppendLine();
        }

        foreach (var task in tasks) Task(md, study, output, task);
        CostTable(md, tasks);

        md.AppendLine("## How to read this report");
        md.AppendLine();
        md.AppendLine("- **Scores** are raw effects in metric units (logit or probability difference), one per prompt and component: " +
                      Invariant($"AP = F(a with the component set to a') − F(a); IG integrates the gradient along {(Zero(pipeline) ? "0 → a'" : "a → a'")} and sums over the component's slice; AtP is the first-order term. ") +
                      (pipeline.Attribution.Direction == Direction.Noising
                          ? "This run is **noising**: F is the clean run's metric, a the clean activation and a' the corrupted one, so scores are typically negative where a component carries the behaviour."
                          : "This run is **denoising**: F is the corrupted run's metric, a the corrupted activation and a' the clean one, so scores are typically positive where a component carries the behaviour."));
        if (Zero(pipeline))
            md.AppendLine("- **Zero baseline**: IG starts at 0, not at a, so its scores sum to F(a') − F(0), while AP's effects refer to F(a') − F(a); " +
                          "the two methods answer different questions here, which is the contrast the study starts from.");
        md.AppendLine("- **Agreement** is computed per prompt over the components of one kind, then summarised (mean ± sd, median). " +
                      "`undefined` counts prompts where a statistic does not exist (e.g. every score equal).");
        md.AppendLine("- **Pooled** statistics use every prompt–component pair at once; the **normalised** view first divides both methods' scores of a prompt by " +
                      Invariant($"the same denominator, that prompt's F(a') − F(a) = {(pipeline.Attribution.Direction == Direction.Noising ? "F(corrupted) − F(clean), negative for a model that shows the behaviour" : "F(clean) − F(corrupted), positive for a model that shows the behaviour")}, ") +
                      Invariant($"so large-effect prompts do not dominate (per-prompt statistics are unchanged by it); prompts with |F(a') − F(a)| below {TaskAnalysis.NormalisedMinimumFraction} × the task's median are left out of it and counted."));
        md.AppendLine(Invariant($"- **IG completeness error** is |Σ_c IG_c − ({FullEffect(pipeline)})|, the quadrature error; it should be small next to the metric differences above. ") +
                      Invariant($"IG counts as converged where it is at most τ × |{FullEffect(pipeline)}| plus the float round-off allowance {IntegratedGradients.RoundOffAllowanceText(study.Model.DType)}; ") +
                      "a kind that met only the allowance on some prompt says so, and a τ below the number type's reach is refused before any work.");
        md.AppendLine("- **Heatmaps** show layer × head mean scores of IG and AP on one symmetric colour scale (red positive, blue negative; layer 0 at the top). " +
                      "**Sweep** plots agreement against s, where AP patches in a + sΔ: as s → 0 the two methods converge to s·AtP.");
        if (tasks.Any(t => t.Verification is not null)) VerificationReport.HowToRead(md);
        if (tasks.Any(t => t.Structure is not null)) StructureReport.HowToRead(md);
        md.AppendLine("- Each task's `scores.csv` has columns `prompt,layer,kind,index,position,method,score` (prompt = dataset row) and `agreement.json` every statistic per prompt.");
        return md.ToString();
    }

    private static void Task(StringBuilder md, Study study, StudyOutput output, TaskOutcome outcome)
    {
        var pipeline = study.Options.Pipeline;
        var (kind, dataset, record, analysis, time) = (outcome.Task.Kind, outcome.Task.Dataset, outcome.Task.Record, outcome.Analysis!, outcome.Time);
        string folder = kind.Id();
        int prompts = analysis.Result.Batches.Sum(b => b.Rows.Length);
        md.AppendLine(Invariant($"## {kind.Id()}"));
        md.AppendLine();
        md.AppendLine(Invariant($"{prompts} prompts from `{dataset.File}` ({dataset.RowsRead} rows{(dataset.Dropped.Count > 0 ? Invariant($", {dataset.DroppedDescription}") : "")}); ") +
                      Invariant($"metric: {Describe(dataset.Readout)}; {time.TotalSeconds:F0} s."));
        md.AppendLine();
        if (record.Filtered)
            md.AppendLine(Invariant($"Behaviour filter ({record.Sample.Rule}): {record.Sample.Kept.Count} prompts kept, {record.Sample.Dropped.Count} dropped ") +
                          Invariant($"(rows in [{RunRecord.FileName}]({RunRecord.FileName})); `--no-filter` keeps them."));
        else
            md.AppendLine(!study.Options.BehaviourFilter ? "Behaviour filter: off (`--no-filter`)." : "Behaviour filter: off (a random model shows no behaviour to filter on).");
        md.AppendLine();
        md.AppendLine(Invariant($"Metric on clean prompts {analysis.CleanMetric.Text}; on corrupted prompts {analysis.CorruptedMetric.Text}."));
        md.AppendLine();
        var statistics = pipeline.StatisticCatalogue;
        md.AppendLine("| components | pair | " + string.Join(" | ", statistics.Select(st => st.DisplayName)) + " | pooled r | pooled r, normalised |");
        md.AppendLine("|---|---|" + string.Concat(statistics.Select(_ => "---|")) + "---|---|");
        foreach (var p in analysis.Agreements)
            if (TaskAnalysis.EqualByConstruction(p, pipeline))
                md.AppendLine(Invariant($"| {p.Space.Id()} ({p.Targets}) | {p.Label} | equal by construction (completeness; see ¹ above) |") + string.Concat(statistics.Select(_ => " |")) + " |");
            else if (!analysis.IsEvidence(p))
                md.AppendLine(Invariant($"| {p.Space.Id()} ({p.Targets}) | {p.Label} | {analysis.NotConverged(p)!.Text}: a quadrature artefact, not evidence |") + string.Concat(statistics.Select(_ => " |")) + " |");
            else
                md.AppendLine(Invariant($"| {p.Space.Id()} ({p.Targets}, k = {p.TopK}) | {p.Label} | ") + string.Join(" | ", statistics.Select(st => Cell(p.AcrossPrompts[st]))) +
                              Invariant($" | {p.Pooled.Pearson} | {p.Normalised?.Pooled.Pearson} |"));
        var exclusion = analysis.NormalisedExclusion;
        if (exclusion.Excluded > 0)
        {
            md.AppendLine();
            md.AppendLine(Invariant($"Normalised pooled r leaves out {exclusion.Excluded} of {exclusion.Prompts} prompts whose |F(a') − F(a)| is below {exclusion.Threshold:G3} ") +
                          Invariant($"({TaskAnalysis.NormalisedMinimumFraction} × the median): dividing by a near-zero effect would let round-off dominate."));
        }
        md.AppendLine();
        if (analysis.Convergence.Count > 0)
        {
            md.AppendLine(Invariant($"IG completeness error by layer, max |Σ IG − ({FullEffect(pipeline)})| over prompts (largest |{FullEffect(pipeline)}| in brackets):"));
            md.AppendLine();
            md.AppendLine("| components | " + string.Join(" | ", analysis.Convergence.Select(c => c.Layer).Distinct().Select(l => Invariant($"L{l}"))) + " |");
            md.AppendLine("|---|" + string.Concat(analysis.Convergence.Select(c => c.Layer).Distinct().Select(_ => "---|")));
            // The headline's checked method (IG) is the table's own; another one (split IG) names itself.
            var checkedMethod = Headline.Checked(pipeline);
            foreach (var group in analysis.Convergence.GroupBy(c => (c.Method, c.Kind)))
                md.AppendLine(Invariant($"| {group.Key.Kind.Id()}{(group.Key.Method == checkedMethod ? "" : Invariant($" ({group.Key.Method.DisplayName}{(group.Key.Method.CompletenessEnds is { } ends ? ", " + ends : "")})"))} | ") + string.Join(" | ", group.Select(c => Invariant($"{Num(c.MaxAbsDelta, "E1")} ({Num(c.MaxAbsExpected, "F3")})") +
                    (pipeline.Ig.Quadrature is IgQuadrature.Adaptive ? Invariant($", {c.StepsText} nodes") : ""))) + " |");
            md.AppendLine();
            foreach (var v in analysis.Verdicts.Where(v => v.Converged && v.WithinAllowanceRows.Count > 0))
                md.AppendLine(Invariant($"{v.Method.DisplayName} of {v.Kind.Plural}: {v.Text}; rows {string.Join(", ", v.WithinAllowanceRows)}.\n"));
        }
        foreach (var image in Plots.Files(pipeline))
            if (File.Exists(Path.Combine(output.Folder, folder, image.File)))
            {
                md.AppendLine(Invariant($"![{image.Caption}]({folder}/{image.File})"));
                md.AppendLine();
            }
        if (analysis.Sweep.Count > 0)
        {
            md.AppendLine("Similarity sweep (median Pearson r across prompts; at scale s, AtP's scores are s·AtP):");
            md.AppendLine();
            var sweepPairs = analysis.Sweep[0].Pairs;
            md.AppendLine("| components | s | " + string.Join(" | ", sweepPairs.Select(p => p.Label)) + " |");
            md.AppendLine("|---|---|" + string.Concat(sweepPairs.Select(_ => "---|")));
            foreach (var s in analysis.Sweep)
                md.AppendLine(Invariant($"| {s.Space.Id()} | {s.Scale.ToString(CultureInfo.InvariantCulture)} | ") + string.Join(" | ", s.Pairs.Select(p => Median(p, AgreementStatistic.Pearson))) + " |");
            md.AppendLine();
        }
        // The headline pair on the study's first space that has it.
        var worst = Headline.Pair(pipeline) is { } headline
            ? pipeline.Spaces.Select(s => analysis.Agreements.FirstOrDefault(a => a.First == headline.First && a.Second == headline.Second && a.Space == s)).OfType<PairAgreement>()
                .OrderBy(a => TaskAnalysis.EqualByConstruction(a, pipeline)).FirstOrDefault()
            : null;
        if (worst is not null)
        {
            md.AppendLine(Invariant($"Largest {worst.First.DisplayName}–{worst.Second.DisplayName} disagreements ({worst.Space.Id()}):"));
            md.AppendLine();
            md.AppendLine(Invariant($"| row | component | {worst.First.DisplayName} | {worst.Second.DisplayName} |"));
            md.AppendLine("|---|---|---|---|");
            // An unconverged prompt's IG is a quadrature artefact: its "disagreement" would be the quadrature's.
            var unconverged = analysis.NotConverged(worst)?.UnconvergedRows ?? [];
            foreach (var d in worst.LargestDisagreements.Where(d => !unconverged.Contains(d.Prompt)).Take(5))
                md.AppendLine(Invariant($"| {d.Prompt} | {d.Target.Label} | {d.First:F4} | {d.Second:F4} |"));
            if (unconverged.Count > 0)
                md.AppendLine(Invariant($"\nLeft out: rows {string.Join(", ", unconverged)}, where {Headline.Checked(pipeline)?.DisplayName} did not converge ({analysis.NotConverged(worst)!.Text})."));
            md.AppendLine();
        }
        VerificationReport.Section(md, outcome, folder, pipeline.MethodCatalogue);
        StructureReport.Section(md, outcome, folder, pipeline);
        StructureReport.PathSection(md, IgPaths.Of(analysis, pipeline), folder, (pipeline.Ig.Quadrature as IgQuadrature.Adaptive)?.Split);
        EdgeReport.Section(md, outcome, pipeline.TopFraction, folder, study.Options.Edges);
        md.AppendLine(Invariant($"Files: [{ScoresCsvExporter.FileName}]({folder}/{ScoresCsvExporter.FileName}), [{AgreementJsonExporter.FileName}]({folder}/{AgreementJsonExporter.FileName})."));
        md.AppendLine();
    }

    /// <summary>Where the time went: per task and unit (method and kind, sweep point, verification), the units computed in this process.</summary>
    private static void CostTable(StringBuilder md, IReadOnlyList<TaskOutcome> tasks)
    {
        var rows = tasks.SelectMany(t => t.Costs.Select(c => (Task: t.Task.Kind.Id(), Unit: c.Key, Cost: c.Value))).ToList();
        if (rows.Count == 0) return;
        md.AppendLine("## Where the time went");
        md.AppendLine();
        md.AppendLine(Invariant($"Units computed in this process (reused units cost nothing; the same figures per task in [{RunRecord.FileName}]({RunRecord.FileName}), `cost`). ") +
                      "Runs are stacked runs from a hook: a forward pass each, and a backward pass too for IG.");
        md.AppendLine();
        md.AppendLine("| task | unit | batches | wall s | runs | IG nodes |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var (task, unit, cost) in rows.OrderBy(r => r.Task).ThenByDescending(r => r.Cost.Seconds))
            md.AppendLine(Invariant($"| {task} | {unit} | {cost.Units} | {cost.Seconds:F1} | {cost.Runs} | {(cost.IgNodes > 0 ? cost.IgNodes.ToString(System.Globalization.CultureInfo.InvariantCulture) : "–")} |"));
        md.AppendLine(Invariant($"| all | | | {rows.Sum(r => r.Cost.Seconds):F1} | {rows.Sum(r => r.Cost.Runs)} | {rows.Sum(r => r.Cost.IgNodes)} |"));
        md.AppendLine();
    }

    private static bool Zero(PipelineOptions pipeline) => pipeline.Ig.Baseline == Baseline.Zero;

    private static string Label((Method First, Method Second) pair) => Invariant($"{pair.First.DisplayName}↔{pair.Second.DisplayName}");


    /// <summary>What IG's scores sum to: F(a') − F(a) from the aligned baseline, F(a') − F(0) from zero.</summary>
    private static string FullEffect(PipelineOptions pipeline) => Zero(pipeline) ? "F(a') − F(0)" : "F(a') − F(a)";

    private static string Describe(MetricReadout readout) => readout == MetricReadout.LogitDifference ? "logit difference" : "probability difference";

    private static string Cell(Summary s) =>
        s.Defined == 0 ? Invariant($"undefined ({s.Undefined})") : Invariant($"{s.Mean:F3} ± {s.StandardDeviation:F3} (median {s.Median:F3}){(s.Undefined > 0 ? Invariant($", {s.Undefined} undefined") : "")}");

    public static string Median(PairAgreement? p, AgreementStatistic statistic) =>
        p is null ? "–" : p.AcrossPrompts[statistic] is { Defined: > 0 } s ? s.Median.ToString("F3", CultureInfo.InvariantCulture) : "undefined";

    private static string Num(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";
}
