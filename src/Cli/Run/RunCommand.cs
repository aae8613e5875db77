using Concord.Studies.Running;
using Concord.Studies.Outputs;
using Concord.Studies.Storage;
using Concord.Tasks.Models;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Concord.Cli.Commands;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Methods.Quadrature;
using Concord.Studies;
using Concord.Methods.Interventions;
using Concord.Methods.Structure;
using Concord.Methods.Verification;
using Concord.Methods.Results;
using Concord.Model;
using Concord.Model.Store;
using Concord.Tasks;
using System.Text.Json.Nodes;
using Concord.Tasks.Evaluation;
using static TorchSharp.torch;

using Concord.Methods.Edges;

namespace Concord.Cli.Run;

/// <summary>`concord run`: IG–AP agreement on the chosen tasks, with scores, agreement tables, plots and a report.</summary>
public static class RunCommand
{
    private static readonly Option<string?> ModelOption = new("--model") { Description = "Model folder, cached name or concord-tasks-small (default: GPT-2 small if cached, else concord-tasks-small)" };
    private static readonly Option<string?> Data = new("--data") { Description = "A CSV in the task's schema (one task only; default: the project's dataset)" };
    private static readonly Option<int> Examples = new("--examples") { Description = "Prompts per task (a seeded random sample of the dataset)", DefaultValueFactory = _ => 64 };
    private static readonly Option<string> Methods = new("--methods") { Description = $"Nodes: {string.Join(", ", MethodCatalogue.BuiltIn.Select(m => m.Id()))} (ig-split needs --split-ig); edges: {EdgeMethodCatalogue.BuiltIn.Ids} (comma-separated)", DefaultValueFactory = _ => "ig,ap,atp" };
    private static readonly Option<string> Components = new("--components") { Description = "heads, mlp, neurons, head-outputs, edges (comma-separated; edges = every sender → receiver edge of EAP-IG's graph)", DefaultValueFactory = _ => "heads,mlp,neurons" };
    private static readonly Option<double> EdgeCircuit = new("--edge-circuit") { Description = "With --components edges: the circuit size, in % of edges (top |score|, pruned), drawn and written as EAP-IG/MIB graph JSON and DOT per method", DefaultValueFactory = _ => 5 };
    private static readonly Option<int> EapIgSteps = new("--eap-ig-steps") { Description = "With --components edges: m, the steps of EAP-IG's left Riemann sum over interpolated inputs (MIB's 5)", DefaultValueFactory = _ => EapIg.DefaultSteps };
    private static readonly Option<string> Rule = new("--rule") { Description = "IG quadrature: gauss-legendre, riemann-left, riemann-right, riemann-midpoint, trapezoid", DefaultValueFactory = _ => "gauss-legendre" };
    private static readonly Option<string> Steps = new("--steps") { Description = "IG: auto (adaptive composite Gauss–Legendre until --ig-tolerance is met on every prompt and layer), or a fixed number of integrand evaluations (50 reproduces captum)", DefaultValueFactory = _ => "auto" };
    private static readonly Option<double?> SplitIg = new("--split-ig") { Description = "With --steps auto: also score split IG (method ig-split), IG integrated only up to where F first covers this fraction r of F(a') − F(a) on the evaluated grid, with its own completeness against F there" };
    private static readonly Option<double?> IgTolerance = new("--ig-tolerance") { Description = "With --steps auto: the largest completeness error allowed, as a fraction of |F(a') − F(a)| (default 1e-3)" };
    private static readonly Option<string> DirectionOption = new("--direction") { Description = "noising (clean run, corrupted patched in), denoising, or both (each method in both directions, and the AND / OR structure analysis)", DefaultValueFactory = _ => "noising" };
    private static readonly Option<int> InteractionsOption = new("--interactions") { Description = "With --direction both: per task and kind, the M components with the largest share of the gap whose every pair is noised jointly (0 = off)", DefaultValueFactory = _ => 12 };
    private static readonly Option<string> BaselineOption = new("--baseline") { Description = "IG baseline: aligned (what AP patches against) or zero", DefaultValueFactory = _ => "aligned" };
    private static readonly Option<string> Sweep = new("--sweep") { Description = "Similarity sweep scales s in (0, 1], comma-separated, or none", DefaultValueFactory = _ => "0.1,0.25,0.5,1" };
    private static readonly Option<int> Neurons = new("--neurons") { Description = "Neurons per layer that AP patches (seeded subset; 0 = all)", DefaultValueFactory = _ => 32 };
    private static readonly Option<bool> PerPosition = new("--per-position") { Description = "Score each (position, component) pair" };
    private static readonly Option<int> BatchSize = new("--batch-size") { Description = "Prompts per batch", DefaultValueFactory = _ => 8 };
    private static readonly Option<int> MemoryBudget = new("--memory-budget") { Description = "MiB that one stacked run may use; larger stacks are chunked", DefaultValueFactory = _ => 1024 };
    private static readonly Option<double> TopFraction = new("--top") { Description = "Fraction of components counted as top-k", DefaultValueFactory = _ => 0.1 };
    private static readonly Option<bool> LogitDiff = new("--logit-diff") { Description = "Use the logit-difference variant of the probability metrics" };
    private static readonly Option<int> Seed = new("--seed") { Description = "Seed for the example sample and the neuron subset", DefaultValueFactory = _ => 0 };
    private static readonly Option<string> Out = new("--out") { Description = "Output folder", DefaultValueFactory = _ => "results" };
    private static readonly Option<bool> Fresh = new("--fresh") { Description = "Recompute everything instead of resuming from finished work" };
    private static readonly Option<bool> Force = new(WritePolicy.ForceFlag) { Description = "Write into an --out that no concord run made even where it holds files of the names a run writes (report.md, run.json, TASK/scores.csv, ...), replacing them" };
    private static readonly Option<string?> ShardOption = new("--shard") { Description = "Compute only shard I of N of the run's units (e.g. 0/4; shards may run at once on machines sharing --out), then run once more with --merge" };
    private static readonly Option<bool> Merge = new("--merge") { Description = "Compute no attribution: build the outputs of a sharded run from its unit files (computing the verification units no shard could, as they need every shard's attribution), or list the missing units and write nothing" };
    private static readonly Option<string> Verify = new("--verify") { Description = "Verification by intervention after the attribution: faithfulness, disagreements, isolated (comma-separated), or none", DefaultValueFactory = _ => "faithfulness,disagreements" };
    private static readonly Option<string> AblationOption = new("--ablation") { Description = "What components outside a faithfulness circuit are replaced by: resample (the other run's value), mean (over the task sample's clean positions) or zero", DefaultValueFactory = _ => "resample" };
    private static readonly Option<bool> NoFilter = new("--no-filter") { Description = "Keep prompts on which the model does not show the behaviour (by default they are dropped, except on random models)" };

    /// <summary>IG's largest --steps: 4096 Gauss–Legendre nodes reach float64 round-off on any smooth path; more only costs hours.</summary>
    public const int MaxSteps = 4096;

    public static Command Create()
    {
        var command = new Command("run", "Measure IG–AP agreement on circuit tasks; writes scores, agreement tables, plots and report.md")
        {
            SharedOptions.Tasks, ModelOption, Data, Examples, Methods, Components, Rule, Steps, IgTolerance, SplitIg, DirectionOption, InteractionsOption, BaselineOption, Sweep, Neurons,
            PerPosition, BatchSize, MemoryBudget, TopFraction, LogitDiff, SharedOptions.Device, SharedOptions.Float64, Seed, Out, Fresh, Force, NoFilter,
            ShardOption, Merge, Verify, AblationOption, EapIgSteps, EdgeCircuit,
        };
        command.Options.Add(SharedOptions.IoiCorruption);
        command.Options.Add(SharedOptions.DropInvalid);
        command.SetGuardedAction((parse, ct) => System.Threading.Tasks.Task.Run(() =>
        {
            var settings = Parse(parse);
            OutputWrites.Guard("Out", settings.Out, () => Execute(settings, ct));
            return 0;
        }, ct));
        return StrictNumbers.Enforce(command);
    }

    public static RunSettings Parse(ParseResult parse)
    {
        var tasks = SharedOptions.ParseStudyTasks(parse);
        if (parse.GetValue(Data) is not null && tasks.Count != 1) throw new ArgumentException("--data needs exactly one --task");
        int examples = parse.GetValue(Examples);
        if (examples < 1) throw new ArgumentException("--examples must be at least 1");
        var stepsText = parse.GetValue(Steps)!.Trim();
        bool auto = stepsText.Equals("auto", StringComparison.OrdinalIgnoreCase);
        int steps = auto ? MaxSteps
            : StrictNumbers.TryParseWhole(stepsText, out int n, out string stepsProblem) ? n
            : throw new ArgumentException(StrictNumbers.Message("--steps", stepsText, stepsProblem + ", or auto"));
        if (steps < 1 || steps > MaxSteps) throw new ArgumentException($"--steps must lie between 1 and {MaxSteps} (got {steps})");
        double? tolerance = parse.GetValue(IgTolerance);
        if (tolerance is double t && !(t > 0 && t < 1)) throw new ArgumentException($"--ig-tolerance must lie in (0, 1) (got {t.ToString(CultureInfo.InvariantCulture)})");
        if (tolerance is not null && !auto) throw new ArgumentException("--ig-tolerance applies to --steps auto only");
        var rule = SharedOptions.OfFlag(Rule.Name, () => QuadratureRules.Parse(parse.GetValue(Rule)!));
        if (auto && rule != QuadratureRule.GaussLegendre) throw new ArgumentException($"--rule {rule.Id()} needs a fixed --steps N (--steps auto, the default, is adaptive Gauss–Legendre)");
        if (rule == QuadratureRule.Trapezoid && steps < 2) throw new ArgumentException("--rule trapezoid needs --steps 2 or more (its two ends)");
        if (parse.GetValue(Neurons) < 0) throw new ArgumentException($"--neurons must be 0 (all) or a positive count (got {parse.GetValue(Neurons)})");
        if (parse.GetValue(BatchSize) < 1) throw new ArgumentException("--batch-size must be at least 1");
        if (parse.GetValue(MemoryBudget) < 1) throw new ArgumentException("--memory-budget must be at least 1 MiB");
        double top = parse.GetValue(TopFraction);
        if (!(top > 0 && top <= 1)) throw new ArgumentException("--top must lie in (0, 1]");
        var sweepText = parse.GetValue(Sweep)!;
        var scales = sweepText.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? [] :
            sweepText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => !StrictNumbers.TryParseReal(s, out double v, out string problem) ? throw new ArgumentException(StrictNumbers.Message("--sweep scale", s, problem))
                    : v > 0 && v <= 1 ? v : throw new ArgumentException($"--sweep scale '{s}' is not a number in (0, 1]"))
                // A scale given twice (0.5,0.50) is one point of the curve: its two units would be one unit.
                .Distinct().ToArray();
        if (scales.Length == 0 && !sweepText.Trim().Equals("none", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("--sweep lists no scale (give scales in (0, 1], or none)");
        var componentIds = SharedOptions.OfFlag(Components.Name, () => IdList.Split(parse.GetValue(Components)!, "component kind", "heads, neurons, mlp, head-outputs, edges"));
        bool withEdges = componentIds.Any(c => c.Equals("edges", StringComparison.OrdinalIgnoreCase) || c.Equals("edge", StringComparison.OrdinalIgnoreCase));
        var nodeComponents = componentIds.Where(c => !c.Equals("edges", StringComparison.OrdinalIgnoreCase) && !c.Equals("edge", StringComparison.OrdinalIgnoreCase)).ToArray();
        var edgeCatalogue = EdgeMethodCatalogue.BuiltIn;
        var methodIds = SharedOptions.OfFlag(Methods.Name, () => IdList.Split(parse.GetValue(Methods)!, "method", $"{string.Join(", ", MethodCatalogue.BuiltIn.Select(m => m.Id()))}; edges: {edgeCatalogue.Ids}"));
        bool methodsGiven = parse.GetResult(Methods) is { Implicit: false };
        IReadOnlyList<EdgeMethod> edgeMethods = withEdges
            ? (methodsGiven ? edgeCatalogue.Where(m => methodIds.Any(id => id.Equals(m.Id(), StringComparison.OrdinalIgnoreCase))).ToArray() : edgeCatalogue)
            : [];
        if (withEdges && edgeMethods.Count == 0)
            throw new ArgumentException($"--methods {parse.GetValue(Methods)} names no edge method for --components edges ({edgeCatalogue.Ids})");
        // An id only the edge catalogue knows (eap, eap-ig) scores edges alone.
        bool EdgeOnly(string id) => edgeCatalogue.Find(id) is not null && MethodCatalogue.BuiltIn.All(m => !m.Id().Equals(id.Trim(), StringComparison.OrdinalIgnoreCase));
        if (!withEdges && methodIds.Where(EdgeOnly).Select(id => id.Trim().ToLowerInvariant()).Distinct().ToList() is [_, ..] edgeOnly)
            throw new ArgumentException($"--methods {string.Join(" and ", edgeOnly)} score{(edgeOnly.Count == 1 ? "s" : "")} edges: add edges to --components");
        if (parse.GetResult(EapIgSteps) is { Implicit: false } && !edgeMethods.Contains(EdgeMethod.EapIg))
            throw new ArgumentException("--eap-ig-steps needs --components edges with the eap-ig method");
        int eapIgSteps = parse.GetValue(EapIgSteps);
        double edgeCircuit = parse.GetValue(EdgeCircuit);
        if (parse.GetResult(EdgeCircuit) is { Implicit: false } && !withEdges) throw new ArgumentException("--edge-circuit needs --components edges");
        if (!(edgeCircuit > 0 && edgeCircuit <= 100)) throw new ArgumentException($"--edge-circuit {edgeCircuit.ToString(CultureInfo.InvariantCulture)} is outside (0, 100] % of edges");
        if (eapIgSteps is < 1 or > 1000) throw new ArgumentException($"--eap-ig-steps {eapIgSteps} is outside 1–1000");
        var nodeMethodIds = methodIds.Where(id => !EdgeOnly(id)).ToArray();
        // Edges alone: the node pass still runs its metrics unit (the batches' clean and corrupted metric), with no method.
        var methods = nodeComponents.Length == 0 ? [] : SharedOptions.OfFlag(Methods.Name, () => MethodCatalogue.BuiltIn.ParseList(string.Join(",", nodeMethodIds)));
        double? split = parse.GetValue(SplitIg);
        if (split is double r && !(r > 0 && r <= 1)) throw new ArgumentException($"--split-ig must lie in (0, 1], the fraction of F's range covered at the split (got {r.ToString(CultureInfo.InvariantCulture)})");
        if (split is not null && !auto) throw new ArgumentException("--split-ig needs --steps auto: split IG is read from the adaptive composite rule's integral, refined to meet τ up to each prompt's split point; a fixed rule's nodes give no integral up to a point between them");
        if (split is null && methods.Contains(Method.IgSplit)) throw new ArgumentException("--methods ig-split needs --split-ig r (the fraction of F's range at which the path is split)");
        if (split is not null && !methods.Contains(Method.IgSplit)) methods = [.. methods, Method.IgSplit];
        var baseline = SharedOptions.OfFlag(BaselineOption.Name, () => Baselines.Parse(parse.GetValue(BaselineOption)!));
        if (scales.Length > 0 && baseline == Baseline.Zero) throw new ArgumentException("the similarity sweep scales the aligned baseline; use --sweep none with --baseline zero");
        var kinds = nodeComponents.Length == 0 ? [] : SharedOptions.OfFlag(Components.Name, () => TargetSpace.ParseList(string.Join(",", nodeComponents)));
        OutputFolder.Check(parse.GetValue(Out)!, Out.Name, tasks.Select(t => t.Id()).ToList(), parse.GetValue(Force));
        var shard = parse.GetValue(ShardOption) is string shardText ? Shard.Parse(shardText.Trim()) : null;
        bool merge = parse.GetValue(Merge);
        if (shard is not null && merge) throw new ArgumentException("--shard and --merge are separate steps: run every shard, then one --merge");
        if ((shard is not null || merge) && parse.GetValue(Fresh))
            throw new ArgumentException($"--fresh with {(merge ? "--merge" : "--shard")} would delete the other shards' units; delete the --out folder before starting the shards instead");
        string directionText = parse.GetValue(DirectionOption)!.Trim();
        bool both = directionText.Equals("both", StringComparison.OrdinalIgnoreCase);
        var direction = both ? Direction.Noising
            : Enum.GetValues<Direction>().Where(d => d.Id().Equals(directionText, StringComparison.OrdinalIgnoreCase)).Select(d => (Direction?)d).FirstOrDefault()
              ?? throw new ArgumentException($"--direction '{directionText}' is not noising, denoising or both");
        int interactions = parse.GetValue(InteractionsOption);
        if (interactions is < 0 or > StructureOptions.MaxInteractions)
            throw new ArgumentException($"--interactions {interactions} is outside 0–{StructureOptions.MaxInteractions} (components per task and kind; 0 turns the interactions off)");
        if (!both && parse.GetResult(InteractionsOption) is { Implicit: false })
            throw new ArgumentException("--interactions needs --direction both (pairs are classified against both directions' asymmetry)");
        var pipeline = new PipelineOptions
        {
            Methods = methods,
            Spaces = kinds,
            Ig = auto ? IgSettings.Auto(tolerance ?? 1e-3, MaxSteps, baseline, split) : IgSettings.FixedNodes(steps, rule, baseline),
            Attribution = new AttributionOptions
            {
                Direction = direction,
                PerPosition = parse.GetValue(PerPosition),
                MemoryBudgetBytes = (long)parse.GetValue(MemoryBudget) << 20,
            },
            NeuronsPerLayer = parse.GetValue(Neurons),
            Seed = parse.GetValue(Seed),
            SweepScales = scales,
            SweepSpaces = kinds.Where(k => k == TargetSpace.Head || k == TargetSpace.Mlp).ToArray(),
            BatchSize = parse.GetValue(BatchSize),
            TopFraction = top,
        };
        var analyses = SharedOptions.OfFlag(Verify.Name, () => VerificationAnalyses.Parse(parse.GetValue(Verify)!));
        var study = new StudyOptions
        {
            Tasks = tasks,
            DataFile = parse.GetValue(Data),
            Examples = examples,
            Pipeline = pipeline,
            TaskOptions = SharedOptions.ParseTaskOptions(parse) with { LogitVariant = parse.GetValue(LogitDiff) },
            BehaviourFilter = !parse.GetValue(NoFilter),
            Verification = new VerificationOptions
            {
                Analyses = analyses,
                Ablation = SharedOptions.OfFlag(AblationOption.Name, () => Ablations.Parse(parse.GetValue(AblationOption)!)),
                Seed = parse.GetValue(Seed),
                // "High" in the disagreement categories is the agreement's top-k.
                HighFraction = top,
            },
            Structure = both ? new StructureOptions { Interactions = interactions } : null,
            Edges = withEdges ? new EdgeOptions
            {
                Methods = edgeMethods,
                Ablation = EdgeOptions.ParseAblation(parse.GetValue(AblationOption)!),
                EapIgSteps = eapIgSteps,
                IgTolerance = tolerance ?? 1e-3,
                CircuitPercent = edgeCircuit,
                Faithfulness = analyses.HasFlag(VerificationAnalysis.Faithfulness),
            } : null,
        };
        return new RunSettings(study, parse.GetValue(ModelOption), parse.GetValue(SharedOptions.Device)!, parse.GetValue(SharedOptions.Float64),
            parse.GetValue(Out)!, parse.GetValue(Fresh), CommandLine(parse))
        {
            Shard = shard,
            Merge = merge,
            Force = parse.GetValue(Force),
        };
    }

    /// <summary>
    /// How the work is split, not what is computed: left out of run.json, so a merged run records the
    /// same options as a one-process run (the split is in shards.json).
    /// </summary>
    public static readonly IReadOnlySet<string> ExecutionOnly = new HashSet<string> { "--shard", "--merge", WritePolicy.ForceFlag };

    /// <summary>Every option of the command with the value it had (given or default), for run.json.</summary>
    private static IReadOnlyList<(string Name, string Value)> CommandLine(ParseResult parse) =>
        parse.CommandResult.Command.Options.Where(o => o is not System.CommandLine.Help.HelpOption and not VersionOption && !ExecutionOnly.Contains(o.Name))
            .Select(o => (o.Name, Text(o switch
            {
                Option<string> s => parse.GetValue(s),
                Option<int> i => parse.GetValue(i),
                Option<double> d => parse.GetValue(d),
                Option<double?> d => parse.GetValue(d),
                Option<bool> b => parse.GetValue(b),
                _ => throw new InvalidOperationException($"option {o.Name} has a type run.json does not record"),
            }))).ToList();

    private static string Text(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Units computed and reused per task, for the console and for tests of resumption.</summary>
    public sealed record Outcome(IReadOnlyDictionary<TaskDescriptor, (int Computed, int Reused)> Units, TimeSpan Wall);

    public static Outcome Execute(RunSettings settings, CancellationToken cancel, IProgress<PipelineProgress>? progressOverride = null)
    {
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        // A fact of this machine, not of the command line (a manifest's --out exists only where it runs), so checked
        // here rather than in Parse: before the model loads and before claiming the folder, which would create it.
        if (settings.Merge && !Directory.Exists(settings.Out))
            throw new ArgumentException($"--merge: --out {settings.Out} does not exist, so there is nothing to merge (run the shards with --shard I/N and this --out first)");
        var model = ModelResolver.Resolve(settings.Model, new ModelStore(), cancel);
        ConsoleSummary.PrintModel(model);
        using var gpt = HookedGpt2.Load(model.Folder, settings.DType, DeviceOption.Parse(settings.Device), cancel);
        ModelResolver.RequireGpt2Vocabulary(gpt);
        var study = Study.Prepare(gpt, model, settings.Device, settings.Study, cancel: cancel);
        foreach (var task in study.Tasks.Where(t => t.Examples.Count < settings.Study.Examples))
            Console.WriteLine($"note: {task.Kind.Id()}: {task.Examples.Count} prompts, fewer than --examples {settings.Study.Examples} (the data has {task.Dataset.Examples.Count} usable rows{(task.Dataset.Examples.Count > task.Examples.Count ? ", the rest dropped by the behaviour filter" : "")})");
        var output = new StudyOutput(settings.Out) { Name = "--out", Request = settings.CommandLine, Fresh = settings.Fresh, Force = settings.Force };
        using var run = StudyRun.Start(study, output, settings.Selection, StudyExporters.All, note: text => Console.WriteLine($"note: {text}"), started, clock);
        StudyOutcome result = null!;
        void Work(IProgress<PipelineProgress> progress) => result = run.Compute(progress, cancel);
        if (progressOverride is not null) Work(progressOverride);
        else RunProgress.Run(study.Tasks.Select(t => t.Kind.Id()).ToList(), Work);
        ConsoleSummary.PrintUnits(result, settings);
        var units = result.Tasks.ToDictionary(t => t.Task.Kind, t => (t.ComputedUnits, t.ReusedUnits));
        run.Finish(result);
        if (settings.Shard is not null) return new Outcome(units, clock.Elapsed);
        ConsoleSummary.Print(result, settings);
        Console.WriteLine($"report: {Path.Combine(settings.Out, Report.FileName)}  (wall time {clock.Elapsed.TotalMinutes.ToString("F1", CultureInfo.InvariantCulture)} min)");
        return new Outcome(units, clock.Elapsed);
    }
}
