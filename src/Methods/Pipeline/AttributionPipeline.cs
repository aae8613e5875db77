using System.Security.Cryptography;
using System.Text;
using Concord.Methods.Attribution;
using Concord.Methods.Components;
using Concord.Methods.Results;
using Concord.Model;
using Concord.Tasks;
using static TorchSharp.torch;

namespace Concord.Methods.Pipeline;

/// <summary>One batch of a task: which dataset rows, and every unit's result.</summary>
public sealed record BatchResult(int[] Rows, int[] Lengths, IReadOnlyDictionary<string, UnitResult> Units)
{
    public double[] BaseMetric => Units[WorkUnit.Metrics.Name].BaseMetric!;
    public double[] OtherMetric => Units[WorkUnit.Metrics.Name].OtherMetric!;

    public ScoreSet? Scores(Method method, ComponentKind kind) =>
        Units.TryGetValue(WorkUnit.For(method, kind).Name, out var u) ? u.Sets[0] : null;

    /// <summary>IG, AP and s·AtP at a sweep scale; s = 1 is the main run itself when that was computed.</summary>
    public IReadOnlyList<ScoreSet> SweepSets(ComponentKind kind, double scale)
    {
        if (Units.TryGetValue(WorkUnit.Sweep(kind, scale).Name, out var unit)) return unit.Sets;
        var ap = Scores(Method.Ap, kind) ?? throw new KeyNotFoundException($"no sweep point {kind.CliName()} s = {scale}");
        return [Scores(Method.Ig, kind)!.Select(ap.Components), ap, Scores(Method.Atp, kind)!.Select(ap.Components)];
    }
}

public sealed record TaskResult(TaskKind Task, IReadOnlyList<BatchResult> Batches, int ComputedUnits, int ReusedUnits);

/// <summary>
/// Runs the methods of <see cref="PipelineOptions"/> over a task's examples, batch by batch, each
/// batch's clean and corrupted runs cached once. Every unit is looked up in the store first and
/// saved as soon as it is done, so an interrupted run resumes where it stopped.
/// </summary>
public sealed class AttributionPipeline(HookedGpt2 model, string modelFingerprint, PipelineOptions options, IUnitStore store)
{
    public TaskResult Run(TaskDataset dataset, string dataFingerprint, IReadOnlyList<TaskExample> examples, Gpt2Tokenizer tokenizer,
        IProgress<PipelineProgress>? progress = null, CancellationToken cancel = default)
    {
        var units = Units().ToList();
        var batches = examples.Chunk(options.BatchSize).ToList();
        int total = batches.Count * units.Count, done = 0, computed = 0, reused = 0;
        var results = new List<BatchResult>();
        foreach (var chunk in batches)
        {
            cancel.ThrowIfCancellationRequested();
            var rows = chunk.Select(e => e.Row).ToArray();
            var lengths = chunk.Select(e => tokenizer.Count(e.Clean)).ToArray();
            string batchKey = $"{modelFingerprint}|{dataset.Kind.CliName()}|{dataFingerprint}|{dataset.Readout}|rows={string.Join(",", rows)}";
            var found = new Dictionary<string, UnitResult>();
            var missing = new List<WorkUnit>();
            foreach (var unit in units)
            {
                if (store.TryLoad(Key(batchKey, unit), out var r)) { found[unit.Name] = r; reused++; done++; }
                else missing.Add(unit);
            }
            progress?.Report(new PipelineProgress(dataset.Kind.CliName(), done, total, missing.Count == 0 ? "reused" : missing[0].Name,
                missing.Count == 0 ? PipelineStage.Reused : PipelineStage.Computing));
            if (missing.Count > 0)
            {
                using var batch = TaskBatch.Create(dataset, chunk, tokenizer, model.DType, model.Device);
                bool atpMissing = missing.Any(u => u.Method == Method.Atp);
                using var context = AttributionContext.Create(model, batch, options.Kinds.Union(options.SweepKinds), options.Attribution, gradientAtBase: atpMissing);
                CheckFinite(context, dataset, rows);
                IReadOnlyList<ScoreSet>? atp = null;
                foreach (var unit in missing)
                {
                    cancel.ThrowIfCancellationRequested();
                    progress?.Report(new PipelineProgress(dataset.Kind.CliName(), done, total, unit.Name, PipelineStage.Computing));
                    var result = Compute(context, unit, ref atp);
                    store.Save(Key(batchKey, unit), result);
                    found[unit.Name] = result;
                    computed++;
                    done++;
                }
            }
            results.Add(new BatchResult(rows, lengths, found));
            progress?.Report(new PipelineProgress(dataset.Kind.CliName(), done, total, "batch done", PipelineStage.BatchDone));
        }
        return new TaskResult(dataset.Kind, results, computed, reused);
    }

    private IEnumerable<WorkUnit> Units()
    {
        yield return WorkUnit.Metrics;
        foreach (var method in options.Methods)
            foreach (var kind in options.Kinds)
                yield return WorkUnit.For(method, kind);
        foreach (var s in options.SweepScales)
            foreach (var kind in options.SweepKinds)
                if (!options.SweepPointIsMainRun(kind, s))
                    yield return WorkUnit.Sweep(kind, s);
    }

    private string Key(string batchKey, WorkUnit unit) =>
        unit.Name + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(batchKey + "|" + unit.Fingerprint(options))))[..16];

    private IReadOnlyList<int>? ApIndices(ComponentKind kind, int layer) =>
        kind == ComponentKind.Neuron ? options.NeuronSubset(layer, model.Config.DMlp) : null;

    private UnitResult Compute(AttributionContext context, WorkUnit unit, ref IReadOnlyList<ScoreSet>? atp)
    {
        var kinds = options.Kinds.Union(options.SweepKinds).ToList();
        if (unit == WorkUnit.Metrics)
            return new UnitResult([], [], context.BaseMetric.ToDoubles(), context.OtherMetric.ToDoubles());
        if (unit.IsSweep)
        {
            atp ??= AttributionPatching.AllLayers(context, kinds);
            var point = SimilaritySweep.Run(context, [unit.Kind!.Value], [unit.Scale!.Value], ApIndices, [atp[kinds.IndexOf(unit.Kind.Value)]]).Single();
            return new UnitResult([point.Ig, point.Ap, point.AtpScaled], []);
        }
        var kind = unit.Kind!.Value;
        switch (unit.Method)
        {
            case Method.Atp:
                atp ??= AttributionPatching.AllLayers(context, kinds);
                return new UnitResult([atp[kinds.IndexOf(kind)]], []);
            case Method.Ap:
                return new UnitResult([ActivationPatching.AllLayers(context, kind, l => ApIndices(kind, l))], []);
            default:
                var layers = IntegratedGradients.AllLayers(context, kind);
                return new UnitResult([ScoreSet.Concat(Method.Ig, layers.Select(r => r.Scores))],
                    layers.Select(r => new LayerConvergence(kind, r.Layer, r.Total, r.Expected)).ToList());
        }
    }

    private static void CheckFinite(AttributionContext context, TaskDataset dataset, int[] rows)
    {
        var clean = context.BaseMetric.ToDoubles();
        var corrupted = context.OtherMetric.ToDoubles();
        for (int i = 0; i < rows.Length; i++)
            if (!double.IsFinite(clean[i]) || !double.IsFinite(corrupted[i]))
                throw new InvalidDataException($"{dataset.File}: row {rows[i]}: the {dataset.Kind.CliName()} metric is {(double.IsFinite(clean[i]) ? corrupted[i] : clean[i])} (NaN or infinite logits; check the model weights)");
    }
}
