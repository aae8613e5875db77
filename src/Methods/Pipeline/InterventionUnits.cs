using System.Diagnostics;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Model;
using Concord.Tasks;

namespace Concord.Methods.Pipeline;

/// <summary>
/// The one loop every pass after the attribution runs its units in (the verification's, the
/// interactions'): one unit per batch and kind, numbered from the pass's first index, each loaded
/// from the store when a matching result is there, computed when the selection owns it, else
/// reported missing; a batch's runs are built only when one of its units is computed.
/// </summary>
/// <typeparam name="TPlan">What computing one unit needs beyond the batch's context (the unit itself, rows, sets).</typeparam>
/// <typeparam name="TResult">The unit's result type.</typeparam>
internal sealed class InterventionUnits<TPlan, TResult>(HookedGpt2 model, string modelFingerprint, PipelineOptions keyedUnder, IUnitStore store,
    TaskDataset dataset, string dataFingerprint, IReadOnlyList<TaskExample> examples, Gpt2Tokenizer tokenizer) where TResult : UnitResult
{
    public Dictionary<(int Batch, TargetSpace Kind), TResult> Found { get; } = [];
    public List<MissingUnit> Missing { get; } = [];
    public Dictionary<string, UnitCost> Costs { get; } = [];
    public int Computed { get; private set; }
    public int Reused { get; private set; }

    /// <param name="unitOf">The unit of a batch and kind with its plan; null when that kind has none (its number is kept, and counted in the progress total, as before).</param>
    /// <param name="compute">One unit's result on the batch's context.</param>
    public void Run(TaskResult result, IReadOnlyList<TargetSpace> kinds, int firstUnitIndex, UnitSelection selection,
        Func<int, int, (WorkUnit Unit, TPlan Plan)?> unitOf, Func<AttributionContext, WorkUnit, TPlan, TResult> compute,
        IProgress<PipelineProgress>? progress, CancellationToken cancel)
    {
        var byRow = examples.ToDictionary(e => e.Row);
        int total = Enumerable.Range(firstUnitIndex, result.Batches.Count * kinds.Count).Count(selection.Reads), done = 0;
        for (int b = 0; b < result.Batches.Count; b++)
        {
            cancel.ThrowIfCancellationRequested();
            var batch = result.Batches[b];
            string batchKey = AttributionPipeline.BatchKey(modelFingerprint, dataset.Kind, dataFingerprint, dataset.Readout, batch.Rows);
            var toCompute = new List<(WorkUnit Unit, TPlan Plan, TargetSpace Kind)>();
            for (int k = 0; k < kinds.Count; k++)
            {
                int index = firstUnitIndex + b * kinds.Count + k;
                if (!selection.Reads(index) || unitOf(b, k) is not { } planned) continue;
                if (store.TryLoad(AttributionPipeline.UnitKey(batchKey, planned.Unit, keyedUnder), out var stored) && planned.Unit.Matches(stored, batch.Rows.Length))
                { Found[(b, kinds[k])] = (TResult)stored; Reused++; done++; }
                else if (selection.Computes(index)) toCompute.Add((planned.Unit, planned.Plan, kinds[k]));
                else { Missing.Add(new MissingUnit(index, dataset.Kind, planned.Unit.Name, batch.Rows)); done++; }
            }
            if (toCompute.Count == 0) continue;
            using var taskBatch = TaskBatch.Create(dataset, batch.Rows.Select(r => byRow[r]).ToList(), tokenizer, model.DType, model.Device);
            using var context = AttributionContext.Create(model, taskBatch, toCompute.Select(u => u.Kind), keyedUnder.Attribution);
            context.Cancellation = cancel;
            foreach (var (unit, plan, kind) in toCompute)
            {
                cancel.ThrowIfCancellationRequested();
                progress?.Report(new PipelineProgress(dataset.Kind.Id(), done, total, unit.Name, PipelineStage.Computing));
                var clock = Stopwatch.StartNew();
                int runsBefore = context.RunsCounted;
                var unitResult = compute(context, unit, plan);
                store.Save(AttributionPipeline.UnitKey(batchKey, unit, keyedUnder), unitResult);
                Found[(b, kind)] = unitResult;
                Costs[unit.Name] = Costs.GetValueOrDefault(unit.Name, UnitCost.None).Add(clock.Elapsed.TotalSeconds, context.RunsCounted - runsBefore, 0);
                Computed++;
                done++;
            }
            progress?.Report(new PipelineProgress(dataset.Kind.Id(), done, total, "batch done", PipelineStage.BatchDone));
        }
    }
}
