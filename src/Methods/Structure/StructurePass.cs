using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Interventions;
using Concord.Methods.Pipeline;
using Concord.Model;
using Concord.Tasks;

namespace Concord.Methods.Structure;

/// <summary>
/// The AND / OR analysis of a task patched in both directions: asymmetry from every method's
/// noising and denoising scores (no new runs), then the joint noising of every pair among the
/// components with the largest share, batch by batch as resumable units in the study's store and
/// numbering (as the verification's), aggregated over the task's kept prompts.
/// </summary>
/// <param name="noising">The study's options (noising): the interaction units are keyed and run under them.</param>
public sealed class StructurePass(HookedGpt2 model, string modelFingerprint, PipelineOptions noising, StructureOptions options, IUnitStore store)
{
    /// <summary>The kinds analysed: the study's, heads at hook_z (head outputs are the same components).</summary>
    public static IReadOnlyList<TargetSpace> Kinds(PipelineOptions pipeline) => pipeline.Spaces.Where(k => k.Intervenable).ToList();

    /// <summary>Interaction units of a task of <paramref name="examples"/> prompts: one per batch and kind (none when interactions are off).</summary>
    public static int UnitCount(PipelineOptions pipeline, StructureOptions options, int examples) =>
        options.Interactions >= 2 ? pipeline.BatchCount(examples) * Kinds(pipeline).Count : 0;

    public PassOutcome<TaskStructure> Run(TaskDataset dataset, string dataFingerprint, IReadOnlyList<TaskExample> examples, Gpt2Tokenizer tokenizer,
        TaskResult noised, TaskResult denoised, UnitSelection selection, int firstUnitIndex, IProgress<PipelineProgress>? progress = null, CancellationToken cancel = default)
    {
        if (noising.Attribution.Direction != Direction.Noising) throw new ArgumentException("the structure pass runs under the noising options", nameof(noising));
        if (!noised.Batches.Select(b => b.Rows).SequenceEqual(denoised.Batches.Select(b => b.Rows), RowsComparer.Instance))
            throw new ArgumentException("the two directions' results cover different batches", nameof(denoised));
        var gaps = noised.Batches.SelectMany(b => b.Metrics.Base.Zip(b.Metrics.Other, (clean, corrupted) => clean - corrupted)).ToArray();
        var kinds = Kinds(noising);
        var asymmetries = kinds.Select(kind => AsymmetryOf(kind, noised, denoised, gaps)).ToList();
        var chosen = asymmetries.Select(a => a is null || options.Interactions < 2 ? [] : Chosen(a.Value.Anchor.Components)).ToList();

        (WorkUnit, InteractionUnit)? UnitOf(int batch, int k)
        {
            if (chosen[k].Count < 2) return null;
            var unit = new InteractionUnit(kinds[k], chosen[k]);
            return (unit, unit);
        }
        var units = new InterventionUnits<InteractionUnit, InteractionUnitResult>(model, modelFingerprint, noising, store, dataset, dataFingerprint, examples, tokenizer);
        if (options.Interactions >= 2)
            units.Run(noised, kinds, firstUnitIndex, selection, UnitOf,
                (context, _, unit) => new InteractionUnitResult(unit.Kind, context.BaseMetric.ToDoubles(),
                    Intervention.Flatten(Intervention.MetricsOnEveryPrompt(context, unit.Kind, Interactions.Sets(unit.Components), Ablation.Resample))),
                progress, cancel);
        var found = units.Found;

        bool complete = kinds.Select((kind, k) => chosen[k].Count < 2 || Enumerable.Range(0, noised.Batches.Count).All(b => found.ContainsKey((b, kind)))).All(x => x);
        TaskStructure? structure = null;
        if (complete)
        {
            var perKind = new List<KindStructure>();
            for (int k = 0; k < kinds.Count; k++)
            {
                if (asymmetries[k] is not { } a) continue;
                var pairs = chosen[k].Count >= 2 ? PairsOf(kinds[k], chosen[k], noised, found, gaps) : [];
                perKind.Add(new KindStructure(kinds[k], a.All, a.Anchor.Method, Asymmetry.Candidates(a.Anchor.Components), chosen[k], pairs));
            }
            structure = new TaskStructure(gaps.Length, Asymmetry.KeptPrompts(gaps).Length, perKind);
        }
        return units.Outcome(structure);
    }

    /// <summary>Every method scored in both directions, on its common components; the anchor (AP when it ran) chooses candidates and interacting components.</summary>
    private (IReadOnlyList<MethodAsymmetry> All, MethodAsymmetry Anchor)? AsymmetryOf(TargetSpace kind, TaskResult noised, TaskResult denoised, double[] gaps)
    {
        var methods = noising.Methods.Where(m => TaskScores.Has(noised, m, kind) && TaskScores.Has(denoised, m, kind)).ToList();
        if (methods.Count == 0) return null;
        var all = methods.Select(m =>
        {
            var components = TaskScores.Common(noised, m, kind).Intersect(TaskScores.Common(denoised, m, kind)).ToList();
            return new MethodAsymmetry(m, Asymmetry.Of(TaskScores.Stacked(noised, m, kind, components), TaskScores.Stacked(denoised, m, kind, components), gaps));
        }).ToList();
        return (all, all.FirstOrDefault(a => a.Method == noising.MethodCatalogue.Reference) ?? all[0]);
    }

    /// <summary>The components with the largest median share of the gap in either direction (n or d), at most <see cref="StructureOptions.Interactions"/>.</summary>
    private IReadOnlyList<Target> Chosen(IReadOnlyList<ComponentAsymmetry> components) =>
        components.Where(c => double.IsFinite(c.Largest)).OrderByDescending(c => c.Largest).ThenBy(c => c.Target.Layer).ThenBy(c => c.Target.Index)
            .Take(options.Interactions).Select(c => c.Target).ToList();

    private static IReadOnlyList<PairInteraction> PairsOf(TargetSpace kind, IReadOnlyList<Target> components, TaskResult noised,
        Dictionary<(int, TargetSpace), InteractionUnitResult> found, double[] gaps)
    {
        var offsets = TaskScores.Offsets(noised);
        int sets = Interactions.Sets(components).Count;
        var metrics = new double[sets, gaps.Length];
        var baseMetric = new double[gaps.Length];
        for (int b = 0; b < noised.Batches.Count; b++)
        {
            var r = found[(b, kind)];
            int n = noised.Batches[b].Rows.Length;
            for (int p = 0; p < n; p++) baseMetric[offsets[b] + p] = r.Base[p];
            for (int s = 0; s < sets; s++)
                for (int p = 0; p < n; p++) metrics[s, offsets[b] + p] = r.Metrics[s * n + p];
        }
        return Interactions.FromMetrics(components, metrics, baseMetric, gaps);
    }

    private sealed class RowsComparer : IEqualityComparer<int[]>
    {
        public static RowsComparer Instance { get; } = new();
        public bool Equals(int[]? x, int[]? y) => x is not null && y is not null && x.SequenceEqual(y);
        public int GetHashCode(int[] obj) => obj.Length;
    }
}
