
namespace Concord.Tasks;

/// <summary>
/// A task as a value: its id, display name, data file, and its definition — the CSV columns, the
/// row parser and the metric (<see cref="CircuitTask"/>) — with the behaviour filter's rule and the
/// files besides its CSV that change its metric. The built-in tasks are instances, each declared by
/// its definition's class (<c>IoiTask.Descriptor</c>, …) and listed once in <see cref="BuiltIn"/>;
/// a user's own task is one more, and runs through a study with every output like them.
/// <see cref="TaskKind"/> names the six the bundled task model is trained on and the dataset
/// generators know (and converts to its descriptor implicitly); a built-in task needs no kind.
/// </summary>
public sealed class TaskDescriptor
{
    private readonly string _id;
    private readonly Func<TaskResources, CircuitTask> _define;
    private readonly Func<TaskResources, IReadOnlyList<string>> _auxiliary;
    private readonly Func<double, bool> _showsBehaviour;

    /// <summary>As tables and titles name it (IOI, gender bias, …).</summary>
    public string DisplayName { get; }

    /// <summary>The data file: a name in the datasets folder (the built-ins' ioi.csv, …) or a path of the user's (absolute, or relative to the datasets folder).</summary>
    public string FileName { get; }

    /// <summary>The trained-on task this describes (training, generators, model eval); null for any other, a user's included.</summary>
    public TaskKind? BuiltInKind { get; }

    /// <summary>The behaviour filter's rule, as run.json and the report state it.</summary>
    public string BehaviourRule { get; }

    /// <param name="id">Stable id: the folder, file and unit-key name; lower-case letters, digits and '-'.</param>
    /// <param name="define">The task's columns, row parser and metric, given the shared resources (tokenizer, year tokens, verb list).</param>
    /// <param name="showsBehaviour">Whether a prompt's clean metric shows the behaviour (the filter keeps it); metric &gt; 0 by default.</param>
    /// <param name="behaviourRule">That rule in words.</param>
    /// <param name="auxiliaryFiles">Files besides the CSV whose content changes the metric (hashed into the data's fingerprint).</param>
    public TaskDescriptor(string id, string displayName, string fileName, Func<TaskResources, CircuitTask> define,
        Func<double, bool>? showsBehaviour = null, string? behaviourRule = null, Func<TaskResources, IReadOnlyList<string>>? auxiliaryFiles = null)
        : this(id, displayName, fileName, define, showsBehaviour, behaviourRule, auxiliaryFiles, null)
    {
    }

    private TaskDescriptor(string id, string displayName, string fileName, Func<TaskResources, CircuitTask> define,
        Func<double, bool>? showsBehaviour, string? behaviourRule, Func<TaskResources, IReadOnlyList<string>>? auxiliaryFiles, TaskKind? builtIn)
    {
        if (id.Length == 0 || id.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
            throw new ArgumentException($"a task id is lower-case letters, digits and '-' (got '{id}')", nameof(id));
        _id = id;
        DisplayName = displayName;
        FileName = fileName;
        _define = define;
        _showsBehaviour = showsBehaviour ?? (metric => metric > 0);
        BehaviourRule = behaviourRule ?? "clean metric > 0 (the model prefers the clean answer)";
        _auxiliary = auxiliaryFiles ?? (_ => []);
        BuiltInKind = builtIn;
    }

    /// <summary>
    /// A task shipped with Concord: its data is &lt;id with '_' for '-'&gt;.csv in the datasets folder,
    /// and <paramref name="kind"/> is its <see cref="TaskKind"/> when the task model is trained on it.
    /// </summary>
    public static TaskDescriptor Shipped(string id, string displayName, Func<TaskResources, CircuitTask> define, TaskKind? kind = null,
        Func<double, bool>? showsBehaviour = null, string? behaviourRule = null, Func<TaskResources, IReadOnlyList<string>>? auxiliaryFiles = null) =>
        new(id, displayName, id.Replace('-', '_') + ".csv", define, showsBehaviour, behaviourRule, auxiliaryFiles, kind);

    /// <summary>A task whose rows are read by <paramref name="parse"/> from a CSV with <paramref name="columns"/>, scored by <paramref name="readout"/> over each row's answers.</summary>
    public static TaskDescriptor FromRows(string id, string displayName, string fileName, IReadOnlyList<string> columns, MetricReadout readout,
        Func<CsvRow, TaskOptions, TaskExample> parse) =>
        new(id, displayName, fileName, _ => new RowTask(columns, readout, parse));

    /// <summary>The stable identifier (never change one: resumed runs and pinned snapshots depend on it).</summary>
    public string Id() => _id;

    public override string ToString() => _id;

    /// <summary>The task's columns, row parser and metric.</summary>
    public CircuitTask Define(TaskResources resources) => _define(resources);

    /// <summary>Whether a prompt with this clean metric shows the behaviour.</summary>
    public bool ShowsBehaviour(double cleanMetric) => _showsBehaviour(cleanMetric);

    /// <summary>Files besides the CSV whose content changes the metric.</summary>
    public IReadOnlyList<string> AuxiliaryFiles(TaskResources resources) => _auxiliary(resources);

    /// <summary>
    /// The built-in tasks, in the order a study of all tasks runs them: the one list a shipped task
    /// is added to (its class declares its descriptor).
    /// </summary>
    public static IReadOnlyList<TaskDescriptor> BuiltIn { get; } =
        [IoiTask.Descriptor, GenderBiasTask.Descriptor, GreaterThanTask.Descriptor, CapitalCountryTask.Descriptor, SvaTask.Descriptor, HypernymyTask.Descriptor];

    /// <summary>The probability difference a hypernymy prompt must reach for the study to keep it (the original study's filter).</summary>
    public const double HypernymyThreshold = 0.1;

    /// <summary>The trained-on task's descriptor (always the same instance).</summary>
    public static TaskDescriptor Of(TaskKind kind) => BuiltIn.FirstOrDefault(t => t.BuiltInKind == kind) ?? throw new ArgumentOutOfRangeException(nameof(kind));

    public static implicit operator TaskDescriptor(TaskKind kind) => Of(kind);

    /// <summary>The built-in task with this id or file name (trimmed, case-insensitive).</summary>
    public static TaskDescriptor Parse(string name)
    {
        var key = name.Trim().ToLowerInvariant();
        return BuiltIn.FirstOrDefault(t => t.Id() == key || t.FileName == key)
            ?? throw new ArgumentException($"unknown task '{name}' (known: {string.Join(", ", BuiltIn.Select(t => t.Id()))}, all)");
    }

    /// <summary>Tasks named in a comma-separated list, "all" (alone or in the list) for every built-in one; a list naming none is refused, as it would run nothing.</summary>
    public static IReadOnlyList<TaskDescriptor> ParseList(string text)
    {
        var names = Concord.Model.IdList.Split(text, "task", $"known: {string.Join(", ", BuiltIn.Select(t => t.Id()))}, all");
        return names.Any(n => n.Equals("all", StringComparison.OrdinalIgnoreCase)) ? BuiltIn : names.Select(Parse).Distinct().ToArray();
    }

    private sealed class RowTask(IReadOnlyList<string> columns, MetricReadout readout, Func<CsvRow, TaskOptions, TaskExample> parse) : CircuitTask
    {
        public override IReadOnlyList<string> RequiredColumns => columns;
        public override MetricReadout NaturalReadout => readout;
        public override TaskExample Parse(CsvRow row, TaskOptions options) => parse(row, options);
    }
}
