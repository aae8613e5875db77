using System.Diagnostics;
using Concord.Methods.Pipeline;
using Concord.Model;
using Concord.Tasks;
using static TorchSharp.torch;

namespace Concord.Methods.Edges;

/// <summary>
/// The edge pass of a task: one unit per batch (the attribution's batches) and edge method, each
/// loaded from the store when its key matches, computed when the selection owns it, else reported
/// missing; a batch's edge context is built only when one of its units is computed.
/// </summary>
public sealed class EdgePass(HookedGpt2 model, string modelFingerprint, PipelineOptions pipeline, EdgeOptions edges, IUnitStore store)
{
    /// <summary>Per batch, one unit per method and, with faithfulness, one for the circuits.</summary>
    public static int UnitCount(PipelineOptions pipeline, EdgeOptions? edges, int examples) =>
        edges is null ? 0 : (int)Math.Ceiling(examples / (double)pipeline.BatchSize) * (edges.Methods.Count + (edges.Faithfulness ? 1 : 0));

    public PassOutcome<TaskEdges> Run(TaskDataset dataset, string dataFingerprint, IReadOnlyList<TaskExample> examples, Gpt2Tokenizer tokenizer,
        UnitSelection selection, int firstUnitIndex, IProgress<PipelineProgress>? progress = null, CancellationToken cancel = default)
    {
        var batches = AttributionPipeline.Batches(pipeline, examples, tokenizer);
        var units = edges.Methods.Select(m => new EdgeUnit(m, edges)).ToList();
        int total = Enumerable.Range(firstUnitIndex, batches.Count * units.Count).Count(selection.Reads), done = 0, computed = 0, reused = 0;
        var found = new Dictionary<(int Batch, string Method), EdgeUnitResult>();
        var missing = new List<MissingUnit>();
        var costs = new Dictionary<string, UnitCost>();
        Tensor? means = null;
        // Mean ablation's z̃ comes from the whole sample, so its rows are part of every key.
        string sample = edges.Ablation == EdgeAblation.Mean ? "|sample=" + string.Join(",", examples.Select(e => e.Row)) : "";
        try
        {
            for (int b = 0; b < batches.Count; b++)
            {
                cancel.ThrowIfCancellationRequested();
                var chunk = batches[b];
                var rows = chunk.Select(e => e.Row).ToArray();
                string batchKey = AttributionPipeline.BatchKey(modelFingerprint, dataset.Kind, dataFingerprint, dataset.Readout, rows) + sample;
                var toCompute = new List<EdgeUnit>();
                for (int u = 0; u < units.Count; u++)
                {
                    int index = firstUnitIndex + b * units.Count + u;
                    if (!selection.Reads(index)) continue;
                    if (store.TryLoad(AttributionPipeline.UnitKey(batchKey, units[u], pipeline), out var stored) && units[u].Matches(stored, rows.Length))
                    { found[(b, units[u].Method)] = (EdgeUnitResult)stored; reused++; done++; }
                    else if (selection.Computes(index)) toCompute.Add(units[u]);
                    else { missing.Add(new MissingUnit(index, dataset.Kind, units[u].Name, rows)); done++; }
                }
                if (toCompute.Count == 0) continue;
                if (edges.Ablation == EdgeAblation.Mean && means is null)
                {
                    var all = batches.Select(c => TaskBatch.Create(dataset, c, tokenizer, model.DType, model.Device)).ToList();
                    means = EdgeContext.SenderMeans(model, all.Select(x => x.Clean));
                    foreach (var x in all) x.Dispose();
                }
                using var taskBatch = TaskBatch.Create(dataset, chunk, tokenizer, model.DType, model.Device);
                using var context = EdgeContext.Create(model, taskBatch.Clean, taskBatch.Corrupted, taskBatch.Metric, pipeline.Attribution, edges.Ablation, means);
                context.Runs.Cancellation = cancel;
                foreach (var unit in toCompute)
                {
                    cancel.ThrowIfCancellationRequested();
                    progress?.Report(new PipelineProgress(dataset.Kind.Id(), done, total, unit.Name, PipelineStage.Computing));
                    var clock = Stopwatch.StartNew();
                    int runsBefore = context.Runs.RunsCounted;
                    var result = EdgeUnitResult.Of(Score(context, unit.Method));
                    store.Save(AttributionPipeline.UnitKey(batchKey, unit, pipeline), result);
                    found[(b, unit.Method)] = result;
                    costs[unit.Name] = costs.GetValueOrDefault(unit.Name, UnitCost.None).Add(clock.Elapsed.TotalSeconds, context.Runs.RunsCounted - runsBefore,
                        result.Completeness?.Evaluations ?? 0);
                    computed++;
                    done++;
                }
                progress?.Report(new PipelineProgress(dataset.Kind.Id(), done, total, "batch done", PipelineStage.BatchDone));
            }
        }
        catch
        {
            means?.Dispose();
            throw;
        }
        bool complete = Enumerable.Range(0, batches.Count).All(b => edges.Methods.All(m => found.ContainsKey((b, m))));
        var taskEdges = complete ? TaskEdges.Of(Model.Edges.EdgeGraph.Of(model.Config), batches.Select(c => c.Select(e => e.Row).ToArray()).ToList(), edges.Methods,
            (b, m) => found[(b, m)]) : null;
        // Faithfulness ranks by every batch's scores: a shard, which sees some batches, leaves it to the merge.
        if (taskEdges is not null && edges.Faithfulness && selection is not Shard)
        {
            var plan = EdgeFaithfulnessPlan.Of(taskEdges.Graph, pipeline.Attribution.Direction,
                taskEdges.Scores.Values.Select(x => (x.Method, (IReadOnlyList<double>)x.Mean())).ToList(), edges.RandomRankings, pipeline.Seed);
            var computes = selection == UnitSelection.Merge ? UnitSelection.All : selection;
            var circuits = Circuits(plan, batches, dataset, dataFingerprint, tokenizer, computes, firstUnitIndex + batches.Count * units.Count, means, sample,
                missing, costs, ref computed, ref reused, progress, cancel);
            if (circuits is not null)
            {
                var metrics = new double[plan.ToRun.Count, taskEdges.Prompts];
                int offset = 0;
                foreach (var r in circuits)
                {
                    for (int c = 0; c < plan.ToRun.Count; c++)
                        for (int b = 0; b < r.Full.Length; b++) metrics[c, offset + b] = r.Metrics[c][b];
                    offset += r.Full.Length;
                }
                taskEdges = taskEdges with
                {
                    Plan = plan,
                    // The bootstrap's seed apart from the random rankings' (seed + r), so no draw shares their stream.
                    Faithfulness = EdgeFaithfulness.Evaluate(plan, metrics, circuits.SelectMany(r => r.Full).ToArray(), circuits.SelectMany(r => r.Empty).ToArray(),
                        seed: unchecked(pipeline.Seed * 7_919 + 1_000_003)),
                };
            }
        }
        means?.Dispose();
        return new PassOutcome<TaskEdges>(taskEdges, missing, computed, reused) { Costs = costs };
    }

    /// <summary>Each batch's circuit runs of the plan, loaded or computed; null when one is missing.</summary>
    private List<EdgeCircuitUnitResult>? Circuits(EdgeFaithfulnessPlan plan, IReadOnlyList<TaskExample[]> batches, TaskDataset dataset, string dataFingerprint,
        Gpt2Tokenizer tokenizer, UnitSelection selection, int first, Tensor? means, string sample, List<MissingUnit> missing, Dictionary<string, UnitCost> costs,
        ref int computed, ref int reused, IProgress<PipelineProgress>? progress, CancellationToken cancel)
    {
        var unit = new EdgeCircuitUnit(edges, plan.Fingerprint, plan.ToRun.Count);
        var results = new List<EdgeCircuitUnitResult>();
        bool complete = true;
        for (int b = 0; b < batches.Count; b++)
        {
            cancel.ThrowIfCancellationRequested();
            var rows = batches[b].Select(e => e.Row).ToArray();
            string key = AttributionPipeline.UnitKey(AttributionPipeline.BatchKey(modelFingerprint, dataset.Kind, dataFingerprint, dataset.Readout, rows) + sample, unit, pipeline);
            int index = first + b;
            if (store.TryLoad(key, out var stored) && unit.Matches(stored, rows.Length)) { results.Add((EdgeCircuitUnitResult)stored); reused++; continue; }
            if (!selection.Computes(index)) { missing.Add(new MissingUnit(index, dataset.Kind, unit.Name, rows)); complete = false; continue; }
            progress?.Report(new PipelineProgress(dataset.Kind.Id(), b, batches.Count, unit.Name, PipelineStage.Computing));
            var clock = Stopwatch.StartNew();
            using var taskBatch = TaskBatch.Create(dataset, batches[b], tokenizer, model.DType, model.Device);
            using var context = EdgeContext.Create(model, taskBatch.Clean, taskBatch.Corrupted, taskBatch.Metric, pipeline.Attribution, edges.Ablation, means);
            context.Runs.Cancellation = cancel;
            var metrics = EdgeFaithfulness.CircuitMetrics(context, plan.ToRun);
            var result = new EdgeCircuitUnitResult(
                Enumerable.Range(0, plan.ToRun.Count).Select(c => Enumerable.Range(0, rows.Length).Select(p => metrics[c, p]).ToArray()).ToArray(),
                context.BaseMetric, context.EndMetric);
            store.Save(key, result);
            results.Add(result);
            costs[unit.Name] = costs.GetValueOrDefault(unit.Name, UnitCost.None).Add(clock.Elapsed.TotalSeconds, context.Runs.RunsCounted - 2, 0);
            computed++;
        }
        return complete ? results : null;
    }

    private EdgeScores Score(EdgeContext context, string method) => method switch
    {
        ExactEdgePatching.Id => ExactEdgePatching.Attribute(context),
        EdgeAttributionPatching.Id => EdgeAttributionPatching.Attribute(context),
        EdgeIntegratedGradients.Id => EdgeIntegratedGradients.Attribute(context, edges.IgTolerance, edges.IgCap),
        EapIg.Id => EapIg.Attribute(context, edges.EapIgSteps),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "not an edge method"),
    };
}
