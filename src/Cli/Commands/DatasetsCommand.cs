using Concord.Tasks.Models;
using System.CommandLine;
using Concord.Model;
using Concord.Tasks;
using Concord.Tasks.Evaluation;
using Concord.Tasks.Generators;

namespace Concord.Cli.Commands;

public static class DatasetsCommand
{
    private static readonly Option<string?> File = new("--file") { Description = "One CSV in a task's schema (the task is taken from --task, or from the file name)" };
    private static readonly Option<string?> Dir = new("--dir") { Description = "A folder of task CSVs named as in the original study (default: the project's datasets/)" };
    private static readonly Option<string?> Verbs = new("--verbs") { Description = "SVA verb list (columns sing, plur; default datasets/sva_verbs.csv)" };

    public static Command Create()
    {
        var command = new Command("datasets", "Generate, validate and describe the six task datasets");
        command.Subcommands.Add(Generate());
        command.Subcommands.Add(Validate("validate", "Check task CSVs: columns, values, answer tokens and equal clean/corrupted token lengths", histogram: false));
        command.Subcommands.Add(FilterHypernymy());
        command.Subcommands.Add(Validate("stats", "Per-task row counts, token-length histograms and invalid rows", histogram: true));
        return StrictNumbers.Enforce(command);
    }

    private static Command Generate()
    {
        var seed = new Option<int>("--seed") { Description = "Random seed (the committed files use 0)", DefaultValueFactory = _ => 0 };
        var words = new Option<string?>("--words") { Description = "Word-list folder (default datasets/words)" };
        var output = new Option<string?>("--out") { Description = "Output folder (default datasets/)" };
        var force = new Option<bool>(WritePolicy.ForceFlag) { Description = "Replace TASK.csv files in --out that hold other bytes than these (without it they are refused; a file with exactly these bytes is left as it is)" };
        var command = new Command("generate", "Write the project's task CSVs from its word lists (deterministic, byte-identical for a seed)") { SharedOptions.Tasks, seed, words, output, force };
        command.SetGuardedAction(parse =>
        {
            var folder = parse.GetValue(output) ?? ProjectPaths.Datasets;
            WritePolicy.Folder("--out", folder);
            var lists = new WordLists(parse.GetValue(words) ?? Path.Combine(ProjectPaths.Datasets, "words"));
            // Every file rendered before any is written: a file of the user's in the way is refused with nothing changed.
            var files = SharedOptions.ParseTasks(parse)
                .Select(kind => (Kind: kind, Path: Path.Combine(folder, kind.FileName()), Made: DatasetGenerator.For(kind).Render(lists, parse.GetValue(seed), Gpt2Tokenizer.Instance)))
                .Select(f => (f.Kind, f.Path, f.Made, Same: HoldsExactly(f.Path, f.Made.Bytes)))
                .ToList();
            WritePolicy.RefuseReplacing("--out", folder, files.Where(f => !f.Same).Select(f => f.Kind.FileName()), parse.GetValue(force));
            foreach (var (kind, path, (bytes, rows), same) in files)
            {
                if (!same) DatasetGenerator.Write(path, bytes);
                Console.WriteLine($"{kind.Id(),-16} {rows,6} rows  {path}{(same ? "  (unchanged)" : "")}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Whether <paramref name="path"/> already holds these bytes. Read only when its size matches, and never when it
    /// is a FIFO or a device (which would block or never end): either is a file in the way, not these bytes.
    /// </summary>
    private static bool HoldsExactly(string path, byte[] bytes) =>
        System.IO.File.Exists(path) && InputFiles.SpecialKind(path) is null && new FileInfo(path).Length == bytes.Length
        && InputFiles.ReadBytes(path, bytes.Length, "a task CSV").AsSpan().SequenceEqual(bytes);

    private static Command FilterHypernymy()
    {
        var model = new Option<string>("--model") { Description = "GPT-2 small (the study's filter), or any model folder", DefaultValueFactory = _ => "gpt2" };
        var threshold = new Option<double>("--threshold") { Description = "Keep rows whose clean probability difference is at least this", DefaultValueFactory = _ => HypernymyFilter.StudyThreshold };
        var output = new Option<string>("--out") { Description = "Where to write the filtered CSV (a new file: an existing one, the input above all, is refused without --force)", Required = true };
        var force = new Option<bool>(WritePolicy.ForceFlag) { Description = "Replace the file --out names if it exists, even the input itself" };
        var command = new Command("filter-hypernymy", "Keep hypernymy rows the model gets right (prob diff ≥ threshold), as the study did with GPT-2 small; fills prob_diff") { File, model, threshold, output, force };
        command.SetGuardedAction((parse, ct) =>
        {
            if (!double.IsFinite(parse.GetValue(threshold))) throw new ArgumentException($"--threshold must be a finite number (got {parse.GetValue(threshold)})");
            var resources = new TaskResources();
            var path = parse.GetValue(File) ?? resources.DefaultFile(TaskKind.Hypernymy);
            WritePolicy.File(output.Name, parse.GetValue(output)!, parse.GetValue(force), [(parse.GetValue(File) is null ? "the default --file" : File.Name, path)]);
            using var gpt = ModelResolver.Load(parse.GetValue(model)!, cancel: ct);
            var (kept, total) = HypernymyFilter.Apply(gpt, path, parse.GetValue(output)!, resources, parse.GetValue(threshold));
            Console.WriteLine($"kept {kept} of {total} rows (prob diff ≥ {parse.GetValue(threshold)}) in {parse.GetValue(output)}");
            return 0;
        });
        return command;
    }

    private static Command Validate(string name, string description, bool histogram)
    {
        var model = new Option<string?>("--model") { Description = "Also check that every prompt fits this model's context (a folder or cached name)" };
        var command = new Command(name, description) { SharedOptions.Tasks, File, Dir, Verbs, SharedOptions.DropInvalid, SharedOptions.IoiCorruption, model };
        command.SetGuardedAction(parse =>
        {
            var options = SharedOptions.ParseTaskOptions(parse);
            if (parse.GetValue(model) is { } m)
                options = options with { MaxTokens = Gpt2Config.Load(Path.Combine(ModelResolver.Folder(m), "config.json")).NPositions };
            var dir = parse.GetValue(Dir);
            var resources = new TaskResources(tokenizer: Gpt2Tokenizer.Instance, svaVerbsFile: parse.GetValue(Verbs));
            var files = new List<(TaskDescriptor Kind, string Path)>();
            if (parse.GetValue(File) is { } file)
            {
                // Before the task is taken from its name: a file that is not there is that, not an unknown task.
                if (Directory.Exists(file)) throw new DatasetException($"{file}: is a folder, not a CSV file");
                if (!System.IO.File.Exists(file)) throw new DatasetException($"{file}: file not found");
                var kind = parse.GetValue(SharedOptions.Tasks) is { } t && t != "all" ? SharedOptions.OfFlag(SharedOptions.Tasks.Name, () => TaskDescriptor.Parse(t)) : TaskDescriptor.Parse(Path.GetFileName(file));
                files.Add((kind, file));
            }
            else
            {
                // Any shipped task, trained on or not: validating and counting need its descriptor alone.
                foreach (var kind in SharedOptions.ParseStudyTasks(parse))
                    files.Add((kind, dir is null ? resources.DefaultFile(kind) : Path.Combine(dir, kind.FileName)));
            }

            // A special or oversized file is refused before the table starts, so the error is the command's only output.
            foreach (var (_, path) in files.Where(f => System.IO.File.Exists(f.Path))) InputFiles.Require(path, InputFiles.TaskCsvBytes, "a task CSV");
            Console.WriteLine($"{"task",-16} {"rows",6} {"usable",6} {"dropped",7} {"dropped %",9}  readout                 file");
            foreach (var (kind, path) in files)
            {
                // Stats always list invalid rows rather than stopping at the first.
                var dataset = TaskDataset.Load(kind, path, resources, histogram ? options with { DropInvalid = true } : options);
                double pct = 100.0 * dataset.Dropped.Count / Math.Max(1, dataset.RowsRead);
                Console.WriteLine($"{kind.Id(),-16} {dataset.RowsRead,6} {dataset.Examples.Count,6} {dataset.Dropped.Count,7} {pct,8:F1}%  {dataset.Readout,-22}  {path}");
                if (histogram)
                {
                    foreach (var group in dataset.TokenLengths(resources.Tokenizer).GroupBy(n => n).OrderBy(g => g.Key))
                        Console.WriteLine($"    {group.Key,3} tokens {group.Count(),6}  {new string('#', Math.Max(1, 50 * group.Count() / dataset.Examples.Count))}");
                    foreach (var invalid in dataset.Dropped.Take(20)) Console.WriteLine($"    invalid {invalid}");
                    if (dataset.Dropped.Count > 20) Console.WriteLine($"    ... and {dataset.Dropped.Count - 20} more");
                }
            }
            return 0;
        });
        return command;
    }
}
