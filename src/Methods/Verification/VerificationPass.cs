using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Interventions;
using Concord.Methods.Pipeline;
using Concord.Methods.Results;
using Concord.Model;
using Concord.Tasks;

namespace Concord.Methods.Verification;

/// <summary>
/// Verification by intervention of a task whose attribution is complete: the rankings and
/// disagreement sets come from its scores, the interventions run batch by batch as resumable,
/// fingerprinted units in the same store and numbering scheme as the attribution's, and the
/// results are aggregated over the task's prompts.
/// </summary>
public sealed class VerificationPass(HookedGpt2 model, string modelFingerprint, PipelineOptions pipeline, VerificationOptions options, IUnitStore store)
{
    /// <summary>The kinds verified: the study's, heads at hook_z (head outputs are the same components).</summary>
    public static IReadOnlyList<TargetSpace> Kinds(PipelineOptions pipeline) => pipeline.Spaces.Where(k => k.Intervenable).ToList();

    /// <summary>Verification units of a task of <paramref name="examples"/> prompts: one per batch and kind.</summary>
    public static int UnitCount(PipelineOptions pipeline, VerificationOptions options, int examples) =>
        options.Runs ? pipeline.BatchCount(examples) * Kinds(pipeline).Count : 0;

    private sealed record KindPlan(TargetSpace Kind, IReadOnlyList<Target> Components, IReadOnlyList<(string Method, ScoreSet Scores)> Scores, FaithfulnessPlan? Faithfulness);

    public PassOutcome<TaskVerification> Run(TaskDataset dataset, string dataFingerprint, IReadOnlyList<TaskExample> examples, Gpt2Tokenizer tokenizer, TaskResult result,
        UnitSelection selection, int firstUnitIndex, IProgress<PipelineProgress>? progress = null, CancellationToken cancel = default)
    {
        var direction = pipeline.Attribution.Direction;
        var byRow = examples.ToDictionary(e => e.Row);
        string sample = "rows=" + string.Join(",", result.Batches.SelectMany(b => b.Rows));
        var plans = Kinds(pipeline).Select(kind => PlanFor(kind, result, direction)).ToList();
        var kinds = Kinds(pipeline);
        var means = new Dictionary<TargetSpace, ComponentMeans>();

        (WorkUnit, (KindPlan Plan, Rows Rows))? UnitOf(int b, int k)
        {
            if (plans[k] is not { } plan) return null;
            var rows = RowsFor(plan, result.Batches[b]);
            var unit = new VerificationUnit(plan.Kind, options, rows.Plan, sample, rows.FaithfulnessCount, rows.Disagreement.Count, rows.Isolated.Count);
            return (unit, (plan, rows));
        }

        VerificationUnitResult Compute(AttributionContext context, WorkUnit unit, (KindPlan Plan, Rows Rows) work)
        {
            var (plan, rows) = work;
            ComponentMeans Means() => means.TryGetValue(plan.Kind, out var m) ? m
                : means[plan.Kind] = MeansOf(plan.Kind, dataset, result, byRow, tokenizer);
            bool needsMeans = options.Ablation == Ablation.Mean || rows.Disagreement.Count > 0 || rows.Isolated.Count > 0;
            var m = needsMeans ? Means() : null;
            var faithfulness = plan.Faithfulness is { } f ? Intervention.Flatten(Intervention.MetricsOnEveryPrompt(context, plan.Kind, f.Sets, options.Ablation, m)) : [];
            return new VerificationUnitResult(plan.Kind, context.BaseMetric.ToDoubles(), faithfulness,
                Intervention.Metrics(context, plan.Kind, rows.Disagreement, Ablation.Resample),
                Intervention.Metrics(context, plan.Kind, rows.Disagreement, Ablation.Mean, m),
                Intervention.Metrics(context, plan.Kind, rows.Isolated, Ablation.Mean, m));
        }

        var units = new InterventionUnits<(KindPlan, Rows), VerificationUnitResult>(model, modelFingerprint, pipeline, store, dataset, dataFingerprint, examples, tokenizer);
        try
        {
            units.Run(result, kinds, firstUnitIndex, selection, UnitOf, Compute, progress, cancel);
        }
        finally
        {
            foreach (var m in means.Values) m.Dispose();
        }
        var found = units.Found;
        bool complete = plans.Where(p => p is not null).All(p => Enumerable.Range(0, result.Batches.Count).All(b => found.ContainsKey((b, p!.Kind))));
        var verification = complete
            ? new TaskVerification(options, plans.Where(p => p is not null).Select(p => Aggregate(p!, result, found, direction)).ToList(), result.Batches.Sum(b => (long)b.Lengths.Sum()))
            : null;
        return units.Outcome(verification);
    }

    /// <summary>The components and each method's scores of a kind, over the task's prompts; null when no method scored it.</summary>
    private KindPlan? PlanFor(TargetSpace kind, TaskResult result, Direction direction)
    {
        var methods = pipeline.Methods.Where(m => TaskScores.Has(result, m, kind)).ToList();
        if (methods.Count == 0) return null;
        // AP's components (its neuron sample for neurons): every method is ranked on the same ones.
        var anchor = methods.Contains(pipeline.MethodCatalogue.Reference) ? pipeline.MethodCatalogue.Reference : methods[0];
        var components = TaskScores.Common(result, anchor, kind);
        var scores = methods.Select(m => (m.Id(), TaskScores.Stacked(result, m, kind, components))).ToList();
        FaithfulnessPlan? faithfulness = null;
        if (options.Analyses.HasFlag(VerificationAnalysis.Faithfulness))
        {
            var means = scores.Select(s => (s.Item1, (IReadOnlyList<double>)Enumerable.Range(0, components.Count)
                .Select(c => Enumerable.Range(0, s.Item2.Prompts).Average(p => s.Item2[p, c])).ToArray())).ToList();
            faithfulness = FaithfulnessPlan.Build(components, means, direction, options, options.Seed + StableSeed(kind.Id()));
        }
        return new KindPlan(kind, components, scores, faithfulness);
    }

    private sealed record Rows(int FaithfulnessCount, IReadOnlyList<InterventionRow> Disagreement, IReadOnlyList<InterventionRow> Isolated, string Plan);

    private Rows RowsFor(KindPlan plan, BatchResult batch)
    {
        int prompts = batch.Rows.Length;
        var components = plan.Components;
        ScoreSet? Of(Method m) => batch.Scores(m, plan.Kind)?.Select(components);
        var disagreement = options.Analyses.HasFlag(VerificationAnalysis.Disagreements) && Of(Method.Ig) is { } ig && Of(pipeline.MethodCatalogue.Reference) is { } ap
            ? DisagreementCategories.Rows(ig, ap, options.HighFraction) : [];
        var isolated = options.Analyses.HasFlag(VerificationAnalysis.Isolated)
            ? Enumerable.Range(0, prompts).SelectMany(p => components.Select(c => new InterventionRow(p, [c]))).ToList() : [];
        string text = (plan.Faithfulness?.Id() ?? "") + "|" + string.Join(";", disagreement.Select(r => $"{r.Prompt}:{string.Join(",", r.Set.Select(c => c.Label))}"))
            + "|" + string.Join(",", components.Select(c => c.Label)) + (isolated.Count > 0 ? "|isolated" : "");
        return new Rows((plan.Faithfulness?.Sets.Count ?? 0) * prompts, disagreement, isolated, text);
    }

    private ComponentMeans MeansOf(TargetSpace kind, TaskDataset dataset, TaskResult result, Dictionary<int, TaskExample> byRow, Gpt2Tokenizer tokenizer)
    {
        var batches = result.Batches.Select(b => TaskBatch.Create(dataset, b.Rows.Select(r => byRow[r]).ToList(), tokenizer, model.DType, model.Device)).ToList();
        try { return ComponentMeans.Of(model, kind, batches.Select(b => b.Clean)); }
        finally { foreach (var b in batches) b.Dispose(); }
    }

    private KindVerification Aggregate(KindPlan plan, TaskResult result, Dictionary<(int, TargetSpace), VerificationUnitResult> found, Direction direction)
    {
        var batches = result.Batches;
        int prompts = batches.Sum(b => b.Rows.Length);
        // m(∅) from each unit's own runs, so effects never mix round-off of two computations.
        var baseMetric = Enumerable.Range(0, batches.Count).SelectMany(b => found[(b, plan.Kind)].Base).ToArray();
        var gaps = batches.SelectMany(b => b.Metrics.Base.Zip(b.Metrics.Other, (a, o) => direction == Direction.Noising ? a - o : o - a)).ToArray();
        double meanGap = gaps.Average(g => Math.Abs(g));
        var planned = Enumerable.Range(0, batches.Count).Select(b => RowsFor(plan, batches[b])).ToList();
        var offsets = TaskScores.Offsets(result);

        KindFaithfulness? faithfulness = null;
        if (plan.Faithfulness is { } f)
        {
            var metrics = new double[f.Sets.Count, prompts];
            for (int b = 0; b < batches.Count; b++)
            {
                var r = found[(b, plan.Kind)];
                int n = batches[b].Rows.Length;
                for (int s = 0; s < f.Sets.Count; s++)
                    for (int p = 0; p < n; p++) metrics[s, offsets[b] + p] = r.Faithfulness[s * n + p];
            }
            faithfulness = f.Evaluate(metrics, options.BootstrapSamples, BootstrapSeed(plan.Kind));
            // The kind's own effect in the behaviour's direction: m(full) − m(empty) is ≈ G noising, ≈ −G denoising.
            double sign = direction == Direction.Noising ? 1 : -1;
            faithfulness = faithfulness with { ShareOfGap = meanGap > 0 ? sign * (faithfulness.MetricFull - faithfulness.MetricEmpty) / meanGap : null };
        }

        // Isolated mean-ablation effects, by task prompt and component.
        var isolated = new Dictionary<(int Prompt, Target Target), double>();
        for (int b = 0; b < batches.Count; b++)
            for (int i = 0; i < planned[b].Isolated.Count; i++)
            {
                var row = planned[b].Isolated[i];
                isolated[(offsets[b] + row.Prompt, row.Set.First())] = found[(b, plan.Kind)].Isolated[i] - baseMetric[offsets[b] + row.Prompt];
            }
        var predictiveness = new List<Predictiveness>();
        if (isolated.Count > 0)
        {
            var slot = plan.Components.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
            var keys = isolated.Keys.ToList();
            var effects = keys.Select(k => isolated[k]).ToArray();
            foreach (var (method, scores) in plan.Scores)
            {
                var values = keys.Select(k => scores[k.Prompt, slot[k.Target]]).ToArray();
                predictiveness.Add(new Predictiveness(method, Correlation.Pearson(values, effects), Correlation.Spearman(values, effects)));
            }
        }

        KindDisagreements? disagreements = null;
        if (planned.Any(p => p.Disagreement.Count > 0))
        {
            var rows = new List<(int Prompt, DisagreementCategory Category, int Size, double Resample, double Mean, double? Isolated)>();
            for (int b = 0; b < batches.Count; b++)
            {
                var r = found[(b, plan.Kind)];
                var categories = DisagreementCategories.All;
                for (int i = 0; i < planned[b].Disagreement.Count; i++)
                {
                    var row = planned[b].Disagreement[i];
                    int prompt = offsets[b] + row.Prompt;
                    double? isolatedMean = isolated.Count > 0 && row.Set.Count > 0 ? row.Set.Average(c => isolated[(prompt, c)]) : null;
                    // Rows are prompt-major with the categories in their declared order (DisagreementCategories.Rows).
                    rows.Add((prompt, categories[i % categories.Count], row.Set.Count, r.DisagreementResample[i] - baseMetric[prompt], r.DisagreementMean[i] - baseMetric[prompt], isolatedMean));
                }
            }
            var effects = DisagreementCategories.All.Select(c =>
            {
                var all = rows.Where(x => x.Category == c).ToList();
                var nonEmpty = all.Where(x => x.Size > 0).ToList();
                var withIsolated = nonEmpty.Where(x => x.Isolated is not null).ToList();
                return new CategoryEffect(c, nonEmpty.Count, all.Count == 0 ? 0 : all.Average(x => x.Size),
                    nonEmpty.Count == 0 ? 0 : nonEmpty.Average(x => x.Resample), nonEmpty.Count == 0 ? 0 : nonEmpty.Average(x => x.Mean),
                    withIsolated.Count == 0 ? null : withIsolated.Average(x => x.Isolated!.Value))
                {
                    MeanAbsResample = nonEmpty.Count == 0 ? 0 : nonEmpty.Average(x => Math.Abs(x.Resample)),
                    MeanAbsMean = nonEmpty.Count == 0 ? 0 : nonEmpty.Average(x => Math.Abs(x.Mean)),
                };
            }).ToList();
            disagreements = new KindDisagreements(effects, meanGap,
                KindDisagreements.VerdictOf(effects[(int)DisagreementCategory.IgOnly], effects[(int)DisagreementCategory.ApOnly], meanGap, options.HighFraction));
        }
        return new KindVerification(plan.Kind, faithfulness, disagreements) { Predictiveness = predictiveness };
    }

    /// <summary>The bootstrap's seed: apart from the random rankings' (seed + r), so no permutation shares its stream.</summary>
    private int BootstrapSeed(TargetSpace kind) => unchecked(options.Seed * 7_919 + StableSeed(kind.Id()) + 1_000_003);

    /// <summary>A seed offset from a stable id (string.GetHashCode differs between processes).</summary>
    private static int StableSeed(string id) => id.Aggregate(17, (h, ch) => unchecked(h * 31 + ch)) & 0xFFFF;
}
