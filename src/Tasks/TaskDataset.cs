using Concord.Model;
using Concord.Tasks.Csv;
using Concord.Tasks.Definitions;

namespace Concord.Tasks;

/// <summary>A row whose clean and corrupted prompts have different token lengths (positions would not align).</summary>
public sealed record InvalidRow(int Row, int CleanTokens, int CorruptedTokens, string Clean, string Corrupted)
{
    public override string ToString() => $"row {Row}: clean prompt has {CleanTokens} tokens, corrupted has {CorruptedTokens} (\"{Clean}\" / \"{Corrupted}\")";
}

/// <summary>The examples of one task file, checked: parseable, and clean/corrupted of equal token length.</summary>
public sealed class TaskDataset
{
    public TaskKind Kind { get; }
    public string File { get; }
    public CircuitTask Task { get; }
    public TaskOptions Options { get; }
    public IReadOnlyList<TaskExample> Examples { get; }
    /// <summary>Rows skipped under <see cref="TaskOptions.DropInvalid"/>; empty otherwise (an invalid row is an error then).</summary>
    public IReadOnlyList<InvalidRow> Dropped { get; }
    public int RowsRead => Examples.Count + Dropped.Count;
    public MetricReadout Readout => Task.Readout(Options);

    private TaskDataset(TaskKind kind, string file, CircuitTask task, TaskOptions options, List<TaskExample> examples, List<InvalidRow> dropped)
    {
        Kind = kind;
        File = file;
        Task = task;
        Options = options;
        Examples = examples;
        Dropped = dropped;
    }

    public static TaskDataset Load(TaskKind kind, string file, TaskResources resources, TaskOptions? options = null)
    {
        options ??= TaskOptions.Default;
        var task = CircuitTask.For(kind, resources);
        var rows = CsvTable.Read(file, task.RequiredColumns);
        var examples = new List<TaskExample>();
        var dropped = new List<InvalidRow>();
        foreach (var row in rows)
        {
            var example = task.Parse(row, options);
            int clean = resources.Tokenizer.Count(example.Clean), corrupted = resources.Tokenizer.Count(example.Corrupted);
            if (clean != corrupted)
            {
                var invalid = new InvalidRow(row.Row, clean, corrupted, example.Clean, example.Corrupted);
                if (!options.DropInvalid)
                    throw new DatasetException($"{file}: {invalid}; positions must align (use --drop-invalid to skip such rows)");
                dropped.Add(invalid);
                continue;
            }
            examples.Add(example);
        }
        if (examples.Count == 0) throw new DatasetException($"{file}: no usable rows ({dropped.Count} dropped for unequal token lengths)");
        return new TaskDataset(kind, file, task, options, examples, dropped);
    }

    /// <summary>A seeded random sample of at most <paramref name="count"/> examples, in row order (the same seed gives the same rows on every machine).</summary>
    public IReadOnlyList<TaskExample> Sample(int count, int seed) => Sample(Examples, count, seed);

    /// <inheritdoc cref="Sample(int, int)"/>
    public static IReadOnlyList<TaskExample> Sample(IReadOnlyList<TaskExample> examples, int count, int seed)
    {
        var random = new Random(seed);
        return examples.OrderBy(_ => random.Next()).Take(count).OrderBy(e => e.Row).ToList();
    }

    public TaskDataset Take(int count) =>
        new(Kind, File, Task, Options, Examples.Take(count).ToList(), Dropped.ToList());

    /// <summary>Token length of each example (BOS included), for histograms.</summary>
    public IEnumerable<int> TokenLengths(Gpt2Tokenizer tokenizer) => Examples.Select(e => tokenizer.Count(e.Clean));
}
