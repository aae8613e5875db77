using System.Diagnostics;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Methods.Structure;
using Concord.Methods.Verification;
using Concord.Model;
using Concord.Tasks;
using Concord.Tasks.Evaluation;
using Concord.Tasks.Models;

namespace Concord.Studies;

/// <summary>
/// The study as a library type: a model, the tasks and their data, and typed options. Preparing it
/// loads and checks every task's data, applies the behaviour filter, draws the rows, numbers the
/// units over the whole study (task by task, batch by batch) and computes the fingerprints; running
/// it reads every unit from a store and computes the ones a <see cref="UnitSelection"/> names (all,
/// one shard, or none for a merge). `concord run`, the per-task fixtures and a user of the packages
/// all run this one type, so they compute the same units under the same keys.
/// </summary>
public sealed class Study
{
    public HookedGpt2 Model { get; }
    public ResolvedModel ResolvedModel { get; }
    /// <summary>The device's stable name as given ("cpu", "cuda:0"), part of the fingerprint.</summary>
    public string Device { get; }
    public StudyOptions Options { get; }
    public TaskResources Resources { get; }
    public IReadOnlyList<StudyTask> Tasks { get; }
    /// <summary>The model by content, number type, device and Concord version (every unit key starts with it).</summary>
    public string ModelFingerprint { get; }
    /// <summary>The whole study's fingerprint: shards of one study share it, and a merge checks it.</summary>
    public string Fingerprint { get; }
    /// <summary>Whether the behaviour filter was applied (asked for, and the model is not random).</summary>
    public bool Filtered { get; }
    public int UnitCount => Tasks.Sum(t => t.UnitCount);

    /// <summary>How a study's units are written in unit files: each pass's own formats (attribution, verification, interactions).</summary>
    public IReadOnlyList<UnitFormat> UnitFormats { get; }

    private Study(HookedGpt2 model, ResolvedModel resolved, string device, StudyOptions options, TaskResources resources, IReadOnlyList<StudyTask> tasks,
        string modelFingerprint, bool filtered)
    {
        Model = model;
        ResolvedModel = resolved;
        Device = device;
        Options = options;
        Resources = resources;
        Tasks = tasks;
        ModelFingerprint = modelFingerprint;
        Filtered = filtered;
        // One list for the study's life: the unit stores build their serializer once per list.
        UnitFormats = options.Passes.SelectMany(p => p.Formats).ToList();
        Fingerprint = StudyFingerprints.Run(modelFingerprint, tasks.Select(t => t.DataFingerprint), options.Identity());
    }

    /// <summary>
    /// Loads, checks and samples every task before any long work starts, so bad input fails in
    /// seconds. <paramref name="device"/> is the device's stable name as given (part of the fingerprint).
    /// </summary>
    public static Study Prepare(HookedGpt2 model, ResolvedModel resolved, string device, StudyOptions options,
        TaskResources? resources = null, CancellationToken cancel = default)
    {
        resources ??= new TaskResources();
        var pipeline = options.Pipeline;
        if (options.Examples < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Examples, "a study needs at least one example per task");
        if (options.DataFile is not null && options.Tasks.Count != 1) throw new ArgumentException("a data file belongs to exactly one task", nameof(options));
        if (options.Tasks.GroupBy(t => t.Id()).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"two tasks have the id '{twice.Key}' (each task has its own folder and unit keys)", nameof(options));
        if (pipeline.Methods.FirstOrDefault(m => !pipeline.MethodCatalogue.Contains(m)) is { } unknown)
            throw new ArgumentException($"method '{unknown.Id()}' is not in the study's method catalogue ({string.Join(", ", pipeline.MethodCatalogue.Select(m => m.Id()))}): add it with MethodCatalogue.With", nameof(options));
        if (options.Edges is { } edges && edges.Methods.FirstOrDefault(m => !edges.Catalogue.Contains(m)) is { } unknownEdge)
            throw new ArgumentException($"edge method '{unknownEdge.Id()}' is not in the study's edge catalogue ({edges.Catalogue.Ids}): add it with EdgeMethodCatalogue.With", nameof(options));
        CheckPasses(options.Passes);
        if (options.Structure is { } structure)
        {
            if (pipeline.Attribution.Direction != Direction.Noising)
                throw new ArgumentException("both directions are run from the noising options (the opposite pipeline is derived)", nameof(options));
            if (structure.Interactions is < 0 or > StructureOptions.MaxInteractions)
                throw new SettingException(nameof(StructureOptions.Interactions), $"{structure.Interactions} is outside 0–{StructureOptions.MaxInteractions} components per kind (0 turns the interactions off)");
        }
        if (pipeline.Ig.Quadrature is IgQuadrature.Adaptive adaptive && adaptive.Tolerance < IntegratedGradients.SmallestTolerance(model.DType))
        {
            var (dtype, f64) = (model.DType, TorchSharp.torch.ScalarType.Float64);
            string withFloat64 = dtype == f64 ? "" : FormattableString.Invariant($" ({IntegratedGradients.SmallestTolerance(f64):G2} with float64)");
            throw new SettingException("IgTolerance", FormattableString.Invariant(
                $"{adaptive.Tolerance:G3} is below what {StudyFingerprints.DTypeId(dtype)} can reach: F itself carries a round-off of about {IntegratedGradients.MetricRoundOff(dtype):G2} × |F|, so a smaller error would be met only by the round-off allowance; the smallest reachable τ is {IntegratedGradients.SmallestTolerance(dtype):G2}{withFloat64}"));
        }
        var split = (pipeline.Ig.Quadrature as IgQuadrature.Adaptive)?.Split;
        if (split is double r && !(r > 0 && r <= 1))
            throw new SettingException("SplitIg", FormattableString.Invariant($"{r:G3} is outside (0, 1]: the split is where F has covered that fraction of F(1) − F(0)"));
        if (pipeline.Methods.Contains(Method.IgSplit) && split is null)
            throw new SettingException("SplitIg", pipeline.Ig.Quadrature is IgQuadrature.Adaptive
                ? "is not set: split IG (ig-split) needs the fraction r of F's range at which the path is split"
                : "needs the adaptive composite rule: split IG is read from its integral, refined to meet τ up to each prompt's split point; a fixed rule's nodes give no integral up to a point between them");
        if (pipeline.NeuronsPerLayer > model.Config.DMlp)
            throw new SettingException(nameof(PipelineOptions.NeuronsPerLayer), $"{pipeline.NeuronsPerLayer} is more than the model's {model.Config.DMlp} neurons per layer (0 = all)");
        var taskOptions = options.TaskOptions with { MaxTokens = model.Config.NPositions };
        bool filter = options.BehaviourFilter && !resolved.IsRandom;
        string modelPrint = StudyFingerprints.Model(resolved.Identity, model.DType, device);

        var tasks = new List<StudyTask>();
        int firstUnit = 0;
        foreach (var kind in options.Tasks)
        {
            cancel.ThrowIfCancellationRequested();
            var file = options.DataFile ?? resources.DefaultFile(kind);
            var dataset = TaskDataset.Load(kind, file, resources, taskOptions, cancel);
            var sample = filter
                ? BehaviourFilter.Sample(model, dataset, resources.Tokenizer, options.Examples, pipeline.Seed, pipeline.BatchSize, cancel)
                : new FilteredSample(options.Order == ExampleOrder.FirstRows ? dataset.Examples.Take(options.Examples).ToList() : dataset.Sample(options.Examples, pipeline.Seed), [], "");
            if (sample.Kept.Count == 0)
                throw new NoBehaviourException(file, kind, sample);
            var auxiliary = resources.AuxiliaryFiles(kind).Select(f => (f, FileHash.Sha256(f, cancel))).ToList();
            var record = new DatasetRecord(kind, dataset, FileHash.Sha256(file, cancel), auxiliary, options.Examples, sample, filter);
            int units = UnitsOf(options, sample.Kept.Count).Sum();
            tasks.Add(new StudyTask(kind, dataset, record, StudyFingerprints.Data(record, taskOptions), firstUnit, units));
            firstUnit += units;
        }
        int positions = tasks.Max(t => t.Examples.Max(e => resources.Tokenizer.Count(e.Clean)));
        long needed = AttributionContext.BytesPerRow(model.Config, model.DType, positions, 0, withGradients: true);
        if (pipeline.Attribution.MemoryBudgetBytes < needed)
            throw new MemoryBudgetException(pipeline.Attribution.MemoryBudgetBytes, needed, positions);
        return new Study(model, resolved, device, options, resources, tasks, modelPrint, filter);
    }

    /// <summary>
    /// The built-in passes first, in their order (an instance with settings of its own may stand in
    /// for one: its fingerprint names them); a study's identity names only the passes after them and
    /// those with settings, so a list that dropped or reordered one would number units differently
    /// under the same fingerprint. No pass id or unit format tag twice.
    /// </summary>
    private static void CheckPasses(IReadOnlyList<IStudyPass> passes)
    {
        if (passes.Count < StudyPasses.BuiltIn.Count || !passes.Take(StudyPasses.BuiltIn.Count).Select(p => p.Id).SequenceEqual(StudyPasses.BuiltIn.Select(p => p.Id)))
            throw new ArgumentException($"a study's passes start with the built-in ones in their order ({string.Join(", ", StudyPasses.BuiltIn.Select(p => p.Id))}); add a pass after them", "options");
        if (passes.GroupBy(p => p.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"two passes have the id '{twice.Key}' (a task's outcomes are kept by pass id)", "options");
        if (passes.SelectMany(p => p.Formats).GroupBy(f => f.Tag).FirstOrDefault(g => g.Count() > 1) is { } tag)
            throw new ArgumentException($"two unit formats have the tag '{tag.Key}' (a unit file names its format by tag)", "options");
    }

    /// <summary>A task's units per pass, in the order they are numbered (<see cref="StudyOptions.Passes"/>).</summary>
    private static int[] UnitsOf(StudyOptions options, int examples) => options.Passes.Select(p => p.UnitCount(options, examples)).ToArray();

    /// <summary>
    /// Reads every task's units from <paramref name="stores"/> and computes the missing ones that
    /// <paramref name="selection"/> names. <paramref name="taskFinished"/> is told of each task as
    /// its pass ends (with its analysis when all of its units are there), so outputs can be written
    /// as tasks finish.
    /// </summary>
    public StudyOutcome Run(Func<TaskDescriptor, IUnitStore> stores, UnitSelection selection, IProgress<PipelineProgress>? progress = null,
        CancellationToken cancel = default, Action<TaskOutcome>? taskFinished = null)
    {
        var outcomes = new List<TaskOutcome>();
        var missing = new List<MissingUnit>();
        foreach (var task in Tasks)
        {
            var clock = Stopwatch.StartNew();
            var store = stores(task.Kind);
            var layout = UnitsOf(Options, task.Examples.Count);
            var done = new Dictionary<string, IPassOutcome>();
            var costs = new Dictionary<string, UnitCost>();
            int first = task.FirstUnit;
            for (int i = 0; i < Options.Passes.Count; first += layout[i], i++)
            {
                var studyPass = Options.Passes[i];
                if (studyPass.Run(new PassRun(this, task, store, selection, first, done, progress, cancel)) is not { } ran) continue;
                done[studyPass.Id] = ran;
                missing.AddRange(ran.Missing);
                foreach (var (unit, cost) in ran.Costs) costs[unit + studyPass.CostSuffix(Options)] = cost;
            }
            TaskResult? Complete(string id) => done.ResultOf<TaskResult>(id);
            var outcome = new TaskOutcome(task, Complete(AttributionStudyPass.PassId) is { } result ? TaskAnalysis.Of(result, Options.Pipeline, Model.DType) : null,
                done.Values.Sum(p => p.ComputedUnits), done.Values.Sum(p => p.ReusedUnits), clock.Elapsed, (store as FileUnitStore)?.Rejected.ToList() ?? [])
            {
                Costs = costs,
                Passes = done,
                Opposite = Complete(OppositeDirectionStudyPass.PassId) is { } o ? TaskAnalysis.Of(o, Options.Opposite!, Model.DType) : null,
            };
            outcomes.Add(outcome);
            taskFinished?.Invoke(outcome);
        }
        return new StudyOutcome(outcomes, missing, UnitCount);
    }

    /// <summary>Every task's units computed in this process, with an in-memory store (tests, notebooks).</summary>
    public StudyOutcome Run(IProgress<PipelineProgress>? progress = null, CancellationToken cancel = default)
    {
        var stores = Tasks.ToDictionary(t => t.Kind, _ => (IUnitStore)new MemoryUnitStore());
        return Run(kind => stores[kind], UnitSelection.All, progress, cancel);
    }
}

/// <summary>The model shows a task's behaviour on none of the prompts tried, so the filter left nothing to study.</summary>
public sealed class NoBehaviourException(string file, TaskDescriptor kind, FilteredSample sample)
    : DatasetException($"{file}: the model shows the {kind.Id()} behaviour on none of the {sample.Dropped.Count} prompts tried ({sample.Rule})",
        new Remedy("NoBehaviourFilter", "keeps them all"))
{
    public TaskDescriptor Task { get; } = kind;
}

/// <summary>The memory budget is below what one stacked row of the model needs.</summary>
public sealed class MemoryBudgetException(long budgetBytes, long neededBytes, int positions)
    : SettingException("MemoryBudget", $"{budgetBytes >> 20} MiB is below the {(neededBytes + (1 << 20) - 1) >> 20} MiB that one stacked row of this model needs at {positions} tokens")
{
    public long BudgetBytes { get; } = budgetBytes;
    public long NeededBytes { get; } = neededBytes;
}
