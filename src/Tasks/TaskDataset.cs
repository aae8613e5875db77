using Concord.Model;

namespace Concord.Tasks;

/// <summary>
/// A row the methods cannot use: clean and corrupted prompts of different token lengths (positions
/// would not align), or a prompt longer than the model's context.
/// </summary>
public sealed record InvalidRow(int Row, int CleanTokens, int CorruptedTokens, string Clean, string Corrupted, int? ContextLength = null)
{
    public bool TooLong => ContextLength is int n && CleanTokens > n;

    public override string ToString() => TooLong
        ? $"row {Row}: the prompt has {CleanTokens} tokens, more than the model's context of {ContextLength} (\"{Clean}\")"
        : $"row {Row}: clean prompt has {CleanTokens} tokens, corrupted has {CorruptedTokens} (\"{Clean}\" / \"{Corrupted}\")";
}

/// <summary>The examples of one task file, checked: parseable, and clean/corrupted of equal token length.</summary>
public sealed class TaskDataset
{
    /// <summary>Which task: its descriptor (a built-in one or the user's own).</summary>
    public TaskDescriptor Kind { get; }
    public string File { get; }
    public CircuitTask Task { get; }
    public TaskOptions Options { get; }
    public IReadOnlyList<TaskExample> Examples { get; }
    /// <summary>Rows skipped under <see cref="TaskOptions.DropInvalid"/>; empty otherwise (an invalid row is an error then).</summary>
    public IReadOnlyList<InvalidRow> Dropped { get; }
    public int RowsRead => Examples.Count + Dropped.Count;
    public MetricReadout Readout => Task.Readout(Options);

    private TaskDataset(TaskDescriptor kind, string file, CircuitTask task, TaskOptions options, List<TaskExample> examples, List<InvalidRow> dropped)
    {
        Kind = kind;
        File = file;
        Task = task;
        Options = options;
        Examples = examples;
        Dropped = dropped;
    }

    /// <param name="cancel">Checked between rows: a large CSV's tokenisation stops within a row of Ctrl-C.</param>
    public static TaskDataset Load(TaskDescriptor kind, string file, TaskResources resources, TaskOptions? options = null, CancellationToken cancel = default)
    {
        options ??= TaskOptions.Default;
        var task = kind.Define(resources);
        var rows = CsvTable.Read(file, task.RequiredColumns);
        var examples = new List<TaskExample>();
        var dropped = new List<InvalidRow>();
        foreach (var row in rows)
        {
            cancel.ThrowIfCancellationRequested();
            var example = task.Parse(row, options);
            int clean = resources.Tokenizer.Count(example.Clean), corrupted = resources.Tokenizer.Count(example.Corrupted);
            var invalid = clean != corrupted ? new InvalidRow(row.Row, clean, corrupted, example.Clean, example.Corrupted)
                : clean > options.MaxTokens ? new InvalidRow(row.Row, clean, corrupted, example.Clean, example.Corrupted, options.MaxTokens)
                : null;
            if (invalid is not null)
            {
                if (!options.DropInvalid)
                    throw new DatasetException(invalid.TooLong ? $"{file}: {invalid}" : $"{file}: {invalid}; positions must align",
                        new Remedy(nameof(TaskOptions.DropInvalid), "skips such rows"));
                dropped.Add(invalid);
                continue;
            }
            examples.Add(example);
        }
        if (examples.Count == 0) throw new DatasetException($"{file}: no usable rows ({DroppedText(dropped)})");
        return new TaskDataset(kind, file, task, options, examples, dropped);
    }

    /// <summary>A seeded random sample of at most <paramref name="count"/> examples, in row order (the same seed gives the same rows on every machine).</summary>
    public IReadOnlyList<TaskExample> Sample(int count, int seed) => Sample(Examples, count, seed);

    /// <inheritdoc cref="Sample(int, int)"/>
    public static IReadOnlyList<TaskExample> Sample(IReadOnlyList<TaskExample> examples, int count, int seed) =>
        SampleOrder(examples, seed).Take(count).OrderBy(e => e.Row).ToList();

    /// <summary>Every example in the seeded random order a sample takes them in (a sample of n is the first n, in row order).</summary>
    public static IEnumerable<TaskExample> SampleOrder(IReadOnlyList<TaskExample> examples, int seed)
    {
        var random = new Random(seed);
        return examples.OrderBy(_ => random.Next());
    }

    /// <summary>"3 dropped for unequal token lengths, 1 longer than the context", or "" when none were.</summary>
    public string DroppedDescription => DroppedText(Dropped);

    private static string DroppedText(IReadOnlyList<InvalidRow> dropped)
    {
        int tooLong = dropped.Count(d => d.TooLong), unequal = dropped.Count - tooLong;
        var parts = new List<string>();
        if (unequal > 0) parts.Add($"{unequal} dropped for unequal token lengths");
        if (tooLong > 0) parts.Add($"{tooLong} dropped as longer than the model's context");
        return parts.Count == 0 ? "none dropped" : string.Join(", ", parts);
    }

    public TaskDataset Take(int count) =>
        new(Kind, File, Task, Options, Examples.Take(count).ToList(), Dropped.ToList());

    /// <summary>Token length of each example (BOS included), for histograms.</summary>
    public IEnumerable<int> TokenLengths(Gpt2Tokenizer tokenizer) => Examples.Select(e => tokenizer.Count(e.Clean));
}
