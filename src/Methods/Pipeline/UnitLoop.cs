using System.Diagnostics;
using Concord.Tasks;

namespace Concord.Methods.Pipeline;

/// <summary>
/// One batch's slots in a pass: its rows, the key its units share, and one unit per slot. A null
/// slot has no unit for this batch, yet keeps its number (and its place in the progress total), so
/// the numbering of every later unit, and therefore of every shard, is the same whatever the plan.
/// </summary>
public sealed record BatchSlots(int[] Rows, string Key, IReadOnlyList<WorkUnit?> Units);

/// <summary>
/// What computing a batch's missing units needs (its runs, caches, contexts), opened by the pass
/// only when one of the batch's units must be computed, and disposed when they are.
/// </summary>
public interface IBatchWork : IDisposable
{
    /// <summary>Stacked runs from a hook so far; a unit's cost is the difference across its computation.</summary>
    int RunsCounted { get; }

    UnitResult Compute(int slot, WorkUnit unit);
}

/// <summary>
/// The one loop every pass runs its units in (attribution, verification, interactions, edges):
/// units numbered from the pass's first index, batch by batch and slot by slot; each loaded from the
/// store when a result of its kind is there, computed when the selection owns it, else reported
/// missing. A unit is saved as soon as it is computed, so an interrupted run resumes where it
/// stopped. A pass may run several loops in turn (the edges' scores, then their circuits): counts,
/// costs and missing units add up.
/// </summary>
public sealed class UnitLoop(IUnitStore store, PipelineOptions keyedUnder, TaskDescriptor task,
    IProgress<PipelineProgress>? progress, CancellationToken cancel)
{
    private readonly List<MissingUnit> _missing = [];
    private readonly Dictionary<string, UnitCost> _costs = [];
    private int _computed, _reused;

    /// <summary>
    /// Loads or computes the slots of <paramref name="batches"/>, numbered from
    /// <paramref name="firstUnitIndex"/>; returns what is in the store now.
    /// </summary>
    /// <param name="open">The work of batch b for the slots it must compute (called only when there is one).</param>
    /// <param name="nodes">IG's quadrature nodes of a computed result given the runs it took, for its cost; none when null.</param>
    public FoundUnits Run(IReadOnlyList<BatchSlots> batches, int firstUnitIndex, UnitSelection selection,
        Func<int, IReadOnlyList<(int Slot, WorkUnit Unit)>, IBatchWork> open, Func<UnitResult, int, long>? nodes = null)
    {
        var found = new Dictionary<(int Batch, int Slot), UnitResult>();
        var firstOf = new int[batches.Count + 1];
        for (int b = 0; b < batches.Count; b++) firstOf[b + 1] = firstOf[b] + batches[b].Units.Count;
        int total = Enumerable.Range(firstUnitIndex, firstOf[^1]).Count(selection.Reads), done = 0;
        for (int b = 0; b < batches.Count; b++)
        {
            cancel.ThrowIfCancellationRequested();
            var batch = batches[b];
            var toCompute = new List<(int Slot, WorkUnit Unit)>();
            for (int s = 0; s < batch.Units.Count; s++)
            {
                int index = firstUnitIndex + firstOf[b] + s;
                if (!selection.Reads(index) || batch.Units[s] is not { } unit) continue;
                if (store.TryLoad(Key(batch, unit), out var stored) && unit.Matches(stored, batch.Rows.Length)) { found[(b, s)] = stored; _reused++; done++; }
                else if (selection.Computes(index)) toCompute.Add((s, unit));
                else { _missing.Add(new MissingUnit(index, task, unit.Name, batch.Rows)); done++; }
            }
            progress?.Report(new PipelineProgress(task.Id(), done, total, toCompute.Count == 0 ? "reused" : toCompute[0].Unit.Name,
                toCompute.Count == 0 ? PipelineStage.Reused : PipelineStage.Computing));
            if (toCompute.Count > 0)
            {
                using var work = open(b, toCompute);
                foreach (var (slot, unit) in toCompute)
                {
                    cancel.ThrowIfCancellationRequested();
                    progress?.Report(new PipelineProgress(task.Id(), done, total, unit.Name, PipelineStage.Computing));
                    var clock = Stopwatch.StartNew();
                    int runsBefore = work.RunsCounted;
                    var result = work.Compute(slot, unit);
                    int runs = work.RunsCounted - runsBefore;
                    _costs[unit.Name] = _costs.GetValueOrDefault(unit.Name, UnitCost.None).Add(clock.Elapsed.TotalSeconds, runs, nodes?.Invoke(result, runs) ?? 0);
                    store.Save(Key(batch, unit), result);
                    found[(b, slot)] = result;
                    _computed++;
                    done++;
                }
            }
            progress?.Report(new PipelineProgress(task.Id(), done, total, "batch done", PipelineStage.BatchDone));
        }
        return new FoundUnits(batches, found, firstUnitIndex + firstOf[^1]);
    }

    private string Key(BatchSlots batch, WorkUnit unit) => AttributionPipeline.UnitKey(batch.Key, unit, keyedUnder);

    /// <summary>The pass's outcome: its result when complete, with this loop's missing units, counts and costs.</summary>
    public PassOutcome<TResult> Outcome<TResult>(TResult? result) where TResult : class =>
        new(result, _missing, _computed, _reused) { Costs = _costs };
}

/// <summary>The units of one <see cref="UnitLoop.Run"/> that are in the store, by batch and slot, and the index after its last unit.</summary>
public sealed class FoundUnits(IReadOnlyList<BatchSlots> batches, IReadOnlyDictionary<(int Batch, int Slot), UnitResult> found, int nextIndex)
{
    public int NextIndex => nextIndex;

    public bool Has(int batch, int slot) => found.ContainsKey((batch, slot));

    public TResult Get<TResult>(int batch, int slot) where TResult : UnitResult => (TResult)found[(batch, slot)];

    /// <summary>Whether every slot with a unit of batch b is in the store.</summary>
    public bool Complete(int batch) => Enumerable.Range(0, batches[batch].Units.Count).All(s => batches[batch].Units[s] is null || found.ContainsKey((batch, s)));

    /// <summary>Whether every batch is complete.</summary>
    public bool Complete() => Enumerable.Range(0, batches.Count).All(Complete);
}

/// <summary>An <see cref="IBatchWork"/> from two functions: for passes whose batch work is a context and a switch over units.</summary>
public sealed class BatchWork(Func<int> runsCounted, Func<int, WorkUnit, UnitResult> compute, params IDisposable[] owned) : IBatchWork
{
    public int RunsCounted => runsCounted();
    public UnitResult Compute(int slot, WorkUnit unit) => compute(slot, unit);

    public void Dispose()
    {
        // The last opened first: a context is built on its batch.
        foreach (var d in owned.Reverse()) d.Dispose();
    }
}
