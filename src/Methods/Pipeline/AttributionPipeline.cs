using System.Security.Cryptography;
using System.Text;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Results;
using Concord.Model;
using Concord.Tasks;
using static TorchSharp.torch;

namespace Concord.Methods.Pipeline;

/// <summary>
/// Runs the methods of <see cref="PipelineOptions"/> over a task's examples, batch by batch, each
/// batch's clean and corrupted runs cached once. Every unit is looked up in the store first and
/// saved as soon as it is done, so an interrupted run resumes where it stopped.
/// </summary>
public sealed class AttributionPipeline(HookedGpt2 model, string modelFingerprint, PipelineOptions options, IUnitStore store)
{
    /// <summary>Computes every missing unit and returns the task's result.</summary>
    public TaskResult Run(TaskDataset dataset, string dataFingerprint, IReadOnlyList<TaskExample> examples, Gpt2Tokenizer tokenizer,
        IProgress<PipelineProgress>? progress = null, CancellationToken cancel = default) =>
        Run(dataset, dataFingerprint, examples, tokenizer, UnitSelection.All, firstUnitIndex: 0, progress, cancel).Result!;

    /// <summary>The task's batches in the order they run (and are numbered in).</summary>
    private IReadOnlyList<TaskExample[]> Batches(IReadOnlyList<TaskExample> examples, Gpt2Tokenizer tokenizer) => Batches(options, examples, tokenizer);

    /// <summary>A task's examples in the batches every pass uses (the edge pass shares the attribution's).</summary>
    public static IReadOnlyList<TaskExample[]> Batches(PipelineOptions options, IReadOnlyList<TaskExample> examples, Gpt2Tokenizer tokenizer) =>
        (options.GroupByPrefix ? PrefixGrouping.Order(examples, tokenizer) : examples).Chunk(options.BatchSize).ToList();

    /// <summary>
    /// Loads the task's units from the store and computes the missing ones that
    /// <paramref name="selection"/> names. Units are numbered from <paramref name="firstUnitIndex"/>,
    /// batch by batch; a unit neither stored nor selected is listed in the outcome's Missing.
    /// </summary>
    public PassOutcome<TaskResult> Run(TaskDataset dataset, string dataFingerprint, IReadOnlyList<TaskExample> examples, Gpt2Tokenizer tokenizer,
        UnitSelection selection, int firstUnitIndex, IProgress<PipelineProgress>? progress = null, CancellationToken cancel = default)
    {
        var units = options.UnitsPerBatch();
        var batches = Batches(examples, tokenizer);
        var slots = batches.Select(chunk => Slots(chunk.Select(e => e.Row).ToArray(), dataset, dataFingerprint, units)).ToList();
        var loop = new UnitLoop(store, options, dataset.Kind, progress, cancel);
        var found = loop.Run(slots, firstUnitIndex, selection, (b, toCompute) =>
        {
            var batch = TaskBatch.Create(dataset, batches[b], tokenizer, model.DType, model.Device);
            AttributionContext? context = null;
            try
            {
                bool baseGradient = toCompute.Any(u => u.Unit is MethodUnit { Method.UsesBaseGradient: true });
                context = AttributionContext.Create(model, batch, options.AllSpaces, options.Attribution, gradientAtBase: baseGradient);
                context.Cancellation = cancel;
                CheckFinite(context, dataset, slots[b].Rows);
                // One instance per method and batch, so a method may share work across spaces.
                var methods = new Dictionary<Method, IAttributionMethod>();
                var opened = context;
                return new BatchWork(() => opened.RunsCounted, (_, unit) => Compute(opened, unit, methods), batch, opened);
            }
            catch
            {
                context?.Dispose();
                batch.Dispose();
                throw;
            }
        },
        // A unit that ran nothing read an integral another unit paid for (split IG reads IG's): its nodes are that unit's.
        (result, runs) => runs > 0 && result is MethodUnitResult { Result: var r } ? r.Completeness.Sum(c => (long)c.Check.Steps) : 0);
        var results = new List<BatchResult>();
        for (int b = 0; b < batches.Count; b++)
        {
            if (!found.Complete(b)) continue;
            var all = Enumerable.Range(0, units.Count).Select(u => found.Get<UnitResult>(b, u)).ToList();
            results.Add(new BatchResult(slots[b].Rows, batches[b].Select(e => tokenizer.Count(e.Clean)).ToArray(), all.OfType<BatchMetrics>().Single(),
                all.OfType<MethodUnitResult>().Select(u => u.Result).ToList(), all.OfType<SweepUnitResult>().Select(u => u.Point).ToList()));
        }
        var outcome = loop.Outcome<TaskResult>(null);
        var complete = results.Count == batches.Count ? new TaskResult(dataset.Kind, results, outcome.ComputedUnits, outcome.ReusedUnits) : null;
        return outcome with { Result = complete };
    }

    private BatchSlots Slots(int[] rows, TaskDataset dataset, string dataFingerprint, IReadOnlyList<WorkUnit> units) =>
        new(rows, BatchKey(modelFingerprint, dataset.Kind, dataFingerprint, dataset.Readout, rows), units);

    /// <summary>Raised whenever the unit files' layout changes, so files of an older layout are recomputed, never misread.</summary>
    private const int UnitFormat = 4;

    /// <summary>What every unit of one batch shares in its key: the unit layout, model, task, data, readout and the batch's rows, each by its stable text.</summary>
    public static string BatchKey(string modelFingerprint, TaskDescriptor task, string dataFingerprint, MetricReadout readout, IReadOnlyList<int> rows) =>
        $"units={UnitFormat}|{modelFingerprint}|{task.Id()}|{dataFingerprint}|{readout.Id()}|rows={string.Join(",", rows)}";

    /// <summary>A unit's store key: its name and a hash of the batch key and the unit's fingerprint (<see cref="UnitKeyText"/>).</summary>
    public static string UnitKey(string batchKey, WorkUnit unit, PipelineOptions options) =>
        unit.Name + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(UnitKeyText(batchKey, unit, options))))[..16];

    /// <summary>The text a unit's key hashes.</summary>
    public static string UnitKeyText(string batchKey, WorkUnit unit, PipelineOptions options) => batchKey + "|" + unit.Fingerprint(options);

    private UnitResult Compute(AttributionContext context, WorkUnit unit, Dictionary<Method, IAttributionMethod> methods) => unit switch
    {
        MetricsUnit => new BatchMetrics(context.BaseMetric.ToDoubles(), context.OtherMetric.ToDoubles()),
        // IG's factory runs the sweep from the aligned baseline whatever IG's baseline is.
        SweepUnit sweep => new SweepUnitResult(SimilaritySweep.Point(context, sweep.Space, sweep.Scale, options.MethodSettings, options.MethodCatalogue)),
        MethodUnit m => new MethodUnitResult(Instance(methods, m.Method).Attribute(context, m.Space)),
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "unknown work unit"),
    };

    private IAttributionMethod Instance(Dictionary<Method, IAttributionMethod> methods, Method method)
    {
        if (!methods.TryGetValue(method, out var instance)) methods[method] = instance = method.Create(options.MethodSettings, null);
        return instance;
    }

    private static void CheckFinite(AttributionContext context, TaskDataset dataset, int[] rows)
    {
        if (context.FirstNonFinite() is var (hook, run, prompt))
        {
            bool onClean = (run == "base") == (context.Options.Direction == Direction.Noising);
            throw new InvalidDataException($"{dataset.File}: row {rows[prompt]}: the model's activations at {hook} are NaN or infinite on the {(onClean ? "clean" : "corrupted")} prompt (check the model weights)");
        }
        var clean = context.BaseMetric.ToDoubles();
        var corrupted = context.OtherMetric.ToDoubles();
        for (int i = 0; i < rows.Length; i++)
            if (!double.IsFinite(clean[i]) || !double.IsFinite(corrupted[i]))
                throw new InvalidDataException($"{dataset.File}: row {rows[i]}: the {dataset.Kind.Id()} metric is {(double.IsFinite(clean[i]) ? corrupted[i] : clean[i])} " +
                    // The caches hold only the hooks the components need: a full forward names where it goes wrong (an MLP, the final LayerNorm).
                    $"({(NonFiniteActivations.FirstHook(context.Model, context.BaseTokens.Tokens) is { } first ? $"the model's activations at {first} are NaN or infinite" : "NaN or infinite logits")}; check the model weights)");
    }
}
