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
        Tensor? means = null;
        // Mean ablation's z̃ comes from the whole sample, so its rows are part of every key.
        string sample = edges.Ablation == EdgeAblation.Mean ? "|sample=" + string.Join(",", examples.Select(e => e.Row)) : "";
        IReadOnlyList<BatchSlots> Slots(IReadOnlyList<WorkUnit> batchUnits) => batches.Select(c => c.Select(e => e.Row).ToArray())
            .Select(rows => new BatchSlots(rows, AttributionPipeline.BatchKey(modelFingerprint, dataset.Kind, dataFingerprint, dataset.Readout, rows) + sample, batchUnits))
            .ToList();
        // A batch's edge context, built only when one of its units is computed; mean ablation's z̃ once, when the first is.
        BatchWork Open(int b, Func<EdgeContext, WorkUnit, UnitResult> compute)
        {
            if (edges.Ablation == EdgeAblation.Mean && means is null)
            {
                var all = batches.Select(c => TaskBatch.Create(dataset, c, tokenizer, model.DType, model.Device)).ToList();
                try { means = EdgeContext.SenderMeans(model, all.Select(x => x.Clean)); }
                finally { foreach (var x in all) x.Dispose(); }
            }
            var taskBatch = TaskBatch.Create(dataset, batches[b], tokenizer, model.DType, model.Device);
            try
            {
                var context = EdgeContext.Create(model, taskBatch.Clean, taskBatch.Corrupted, taskBatch.Metric, pipeline.Attribution, edges.Ablation, means);
                context.Runs.Cancellation = cancel;
                return new BatchWork(() => context.Runs.RunsCounted, (_, unit) => compute(context, unit), taskBatch, context);
            }
            catch
            {
                taskBatch.Dispose();
                throw;
            }
        }
        var loop = new UnitLoop(store, pipeline, dataset.Kind, progress, cancel);
        try
        {
            var scored = loop.Run(Slots(units), firstUnitIndex, selection,
                (b, _) => Open(b, (context, unit) => EdgeUnitResult.Of(((EdgeUnit)unit).Method.Score(context, edges))),
                (result, _) => ((EdgeUnitResult)result).Completeness?.Evaluations ?? 0);
            var ids = edges.Methods.Select(m => m.Id()).ToList();
            var taskEdges = scored.Complete()
                ? TaskEdges.Of(Model.Edges.EdgeGraph.Of(model.Config), batches.Select(c => c.Select(e => e.Row).ToArray()).ToList(), ids,
                    (b, m) => scored.Get<EdgeUnitResult>(b, ids.IndexOf(m))) with { Catalogue = edges.Catalogue }
                : null;
            // Faithfulness ranks by every batch's scores: a shard, which sees some batches, leaves it to the merge.
            if (taskEdges is not null && edges.Faithfulness && selection is not Shard)
            {
                var plan = EdgeFaithfulnessPlan.Of(taskEdges.Graph, pipeline.Attribution.Direction,
                    taskEdges.Scores.Values.Select(x => (x.Method, (IReadOnlyList<double>)x.Mean())).ToList(), edges.RandomRankings, pipeline.Seed);
                var circuit = new EdgeCircuitUnit(edges, plan.Fingerprint, plan.ToRun.Count);
                // A merge computes the circuits: they need every batch's scores, which only it has.
                var circuits = loop.Run(Slots([circuit]), scored.NextIndex, selection == UnitSelection.Merge ? UnitSelection.All : selection,
                    (b, _) => Open(b, (context, _) =>
                    {
                        var metrics = EdgeFaithfulness.CircuitMetrics(context, plan.ToRun);
                        return new EdgeCircuitUnitResult(
                            Enumerable.Range(0, plan.ToRun.Count).Select(c => Enumerable.Range(0, context.Batch).Select(p => metrics[c, p]).ToArray()).ToArray(),
                            context.BaseMetric, context.EndMetric);
                    }));
                if (circuits.Complete())
                {
                    var results = Enumerable.Range(0, batches.Count).Select(b => circuits.Get<EdgeCircuitUnitResult>(b, 0)).ToList();
                    var metrics = new double[plan.ToRun.Count, taskEdges.Prompts];
                    int offset = 0;
                    foreach (var r in results)
                    {
                        for (int c = 0; c < plan.ToRun.Count; c++)
                            for (int b = 0; b < r.Full.Length; b++) metrics[c, offset + b] = r.Metrics[c][b];
                        offset += r.Full.Length;
                    }
                    taskEdges = taskEdges with
                    {
                        Plan = plan,
                        // The bootstrap's seed apart from the random rankings' (seed + r), so no draw shares their stream.
                        Faithfulness = EdgeFaithfulness.Evaluate(plan, metrics, results.SelectMany(r => r.Full).ToArray(), results.SelectMany(r => r.Empty).ToArray(),
                            seed: unchecked(pipeline.Seed * 7_919 + 1_000_003)),
                    };
                }
            }
            return loop.Outcome(taskEdges);
        }
        finally
        {
            means?.Dispose();
        }
    }
}
