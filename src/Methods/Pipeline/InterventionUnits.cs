using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Model;
using Concord.Tasks;

namespace Concord.Methods.Pipeline;

/// <summary>
/// The units of a pass that intervenes on the attribution's batches (the verification's, the
/// interactions'): one slot per batch and space, run in the <see cref="UnitLoop"/>; a batch's
/// context caches exactly the spaces whose units it computes.
/// </summary>
/// <typeparam name="TPlan">What computing one unit needs beyond the batch's context (the unit itself, rows, sets).</typeparam>
/// <typeparam name="TResult">The unit's result type.</typeparam>
internal sealed class InterventionUnits<TPlan, TResult>(HookedGpt2 model, string modelFingerprint, PipelineOptions keyedUnder, IUnitStore store,
    TaskDataset dataset, string dataFingerprint, IReadOnlyList<TaskExample> examples, Gpt2Tokenizer tokenizer) where TResult : UnitResult
{
    public Dictionary<(int Batch, TargetSpace Kind), TResult> Found { get; } = [];
    private UnitLoop? _loop;

    /// <param name="unitOf">The unit of a batch and space with its plan; null when that space has none (its number is kept, and counted in the progress total).</param>
    /// <param name="compute">One unit's result on the batch's context.</param>
    public void Run(TaskResult result, IReadOnlyList<TargetSpace> kinds, int firstUnitIndex, UnitSelection selection,
        Func<int, int, (WorkUnit Unit, TPlan Plan)?> unitOf, Func<AttributionContext, WorkUnit, TPlan, TResult> compute,
        IProgress<PipelineProgress>? progress, CancellationToken cancel)
    {
        var byRow = examples.ToDictionary(e => e.Row);
        // Only the slots this process reads are planned: a verification plan holds every prompt's rows, and a shard reads few slots.
        var planned = Enumerable.Range(0, result.Batches.Count).Select(b => Enumerable.Range(0, kinds.Count)
            .Select(k => selection.Reads(firstUnitIndex + b * kinds.Count + k) ? unitOf(b, k) : null).ToArray()).ToArray();
        var slots = result.Batches.Select((batch, b) => new BatchSlots(batch.Rows,
            AttributionPipeline.BatchKey(modelFingerprint, dataset.Kind, dataFingerprint, dataset.Readout, batch.Rows),
            planned[b].Select(p => p?.Unit).ToArray())).ToList();
        _loop = new UnitLoop(store, keyedUnder, dataset.Kind, progress, cancel);
        var found = _loop.Run(slots, firstUnitIndex, selection, (b, toCompute) =>
        {
            var taskBatch = TaskBatch.Create(dataset, result.Batches[b].Rows.Select(r => byRow[r]).ToList(), tokenizer, model.DType, model.Device);
            try
            {
                var context = AttributionContext.Create(model, taskBatch, toCompute.Select(u => kinds[u.Slot]), keyedUnder.Attribution);
                context.Cancellation = cancel;
                return new BatchWork(() => context.RunsCounted, (k, unit) => compute(context, unit, planned[b][k]!.Value.Plan), taskBatch, context);
            }
            catch
            {
                taskBatch.Dispose();
                throw;
            }
        });
        for (int b = 0; b < slots.Count; b++)
            for (int k = 0; k < kinds.Count; k++)
                if (found.Has(b, k)) Found[(b, kinds[k])] = found.Get<TResult>(b, k);
    }

    /// <summary>The pass's outcome: its result when complete, with the loop's missing units, counts and costs (none when it did not run).</summary>
    public PassOutcome<TOutcome> Outcome<TOutcome>(TOutcome? outcome) where TOutcome : class =>
        _loop?.Outcome(outcome) ?? new PassOutcome<TOutcome>(outcome, [], 0, 0);
}
