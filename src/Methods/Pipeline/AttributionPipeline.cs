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
        int total = Enumerable.Range(firstUnitIndex, batches.Count * units.Count).Count(selection.Reads), done = 0, computed = 0, reused = 0;
        var results = new List<BatchResult>();
        var absent = new List<MissingUnit>();
        var costs = new Dictionary<string, UnitCost>();
        for (int b = 0; b < batches.Count; b++)
        {
            cancel.ThrowIfCancellationRequested();
            var chunk = batches[b];
            var rows = chunk.Select(e => e.Row).ToArray();
            var lengths = chunk.Select(e => tokenizer.Count(e.Clean)).ToArray();
            string batchKey = BatchKey(modelFingerprint, dataset.Kind, dataFingerprint, dataset.Readout, rows);
            var found = new Dictionary<WorkUnit, UnitResult>();
            var missing = new List<WorkUnit>();
            for (int u = 0; u < units.Count; u++)
            {
                var (unit, index) = (units[u], firstUnitIndex + b * units.Count + u);
                if (!selection.Reads(index)) continue;
                if (store.TryLoad(Key(batchKey, unit), out var r) && unit.Matches(r, rows.Length)) { found[unit] = r; reused++; done++; }
                else if (selection.Computes(index)) missing.Add(unit);
                else { absent.Add(new MissingUnit(index, dataset.Kind, unit.Name, rows)); done++; }
            }
            progress?.Report(new PipelineProgress(dataset.Kind.Id(), done, total, missing.Count == 0 ? "reused" : missing[0].Name,
                missing.Count == 0 ? PipelineStage.Reused : PipelineStage.Computing));
            if (missing.Count > 0)
            {
                using var batch = TaskBatch.Create(dataset, chunk, tokenizer, model.DType, model.Device);
                bool baseGradient = missing.Any(u => u is MethodUnit { Method.UsesBaseGradient: true });
                using var context = AttributionContext.Create(model, batch, options.AllSpaces, options.Attribution, gradientAtBase: baseGradient);
                context.Cancellation = cancel;
                CheckFinite(context, dataset, rows);
                // One instance per method and batch, so a method may share work across kinds.
                var methods = new Dictionary<Method, IAttributionMethod>();
                foreach (var unit in missing)
                {
                    cancel.ThrowIfCancellationRequested();
                    progress?.Report(new PipelineProgress(dataset.Kind.Id(), done, total, unit.Name, PipelineStage.Computing));
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    int runsBefore = context.RunsCounted;
                    var result = Compute(context, unit, methods);
                    int runs = context.RunsCounted - runsBefore;
                    // A unit that ran nothing read an integral another unit paid for (split IG reads IG's): its nodes are that unit's.
                    long nodes = runs > 0 && result is MethodUnitResult { Result: var r } ? r.Completeness.Sum(c => (long)c.Check.Steps) : 0;
                    costs[unit.Name] = costs.GetValueOrDefault(unit.Name, UnitCost.None).Add(clock.Elapsed.TotalSeconds, runs, nodes);
                    store.Save(Key(batchKey, unit), result);
                    found[unit] = result;
                    computed++;
                    done++;
                }
            }
            if (found.Count == units.Count)
                results.Add(new BatchResult(rows, lengths, (BatchMetrics)found[MetricsUnit.Instance],
                    found.Values.OfType<MethodUnitResult>().Select(u => u.Result).ToList(),
                    found.Values.OfType<SweepUnitResult>().Select(u => u.Point).ToList()));
            progress?.Report(new PipelineProgress(dataset.Kind.Id(), done, total, "batch done", PipelineStage.BatchDone));
        }
        var complete = results.Count == batches.Count ? new TaskResult(dataset.Kind, results, computed, reused) : null;
        return new PassOutcome<TaskResult>(complete, absent, computed, reused) { Costs = costs };
    }

    /// <summary>Raised whenever the unit files' layout changes, so files of an older layout are recomputed, never misread.</summary>
    private const int UnitFormat = 4;

    private string Key(string batchKey, WorkUnit unit) => UnitKey(batchKey, unit, options);

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
