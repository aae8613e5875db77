using Concord.Tasks.Models;
using System.CommandLine;
using System.Globalization;
using Concord.Model;
using Concord.Tasks;
using Concord.Tasks.Evaluation;
using Concord.Tasks.Training;

namespace Concord.Cli.Commands;

/// <summary>`concord model eval`: how well a model performs each task (any GPT-2-vocabulary model, GPT-2 small included).</summary>
public static class ModelEvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder or cached name", Required = true };
        var data = new Option<string?>("--data") { Description = "A CSV in the task's schema (one --task); default: held-out rows (IOI, greater-than, SVA) or the project's dataset (facts)" };
        var examples = new Option<int>("--examples") { Description = "At most this many prompts per task (seeded sample)", DefaultValueFactory = _ => 1000 };
        var trainedOnly = new Option<bool>("--trained-tokens-only") { Description = "Keep only rows whose every token the model was trained on (needs its training.json)" };
        var json = new Option<bool>("--json") { Description = "Print the table as JSON" };
        var seed = new Option<int>("--seed") { Description = "Seed of the sample", DefaultValueFactory = _ => 0 };
        var command = new Command("eval", "Per task: share of prompts with clean metric > 0, share where the corruption lowers it, mean metrics")
        {
            model, SharedOptions.Tasks, data, examples, trainedOnly, json, seed, SharedOptions.Device, SharedOptions.Float64,
        };
        command.Options.Add(SharedOptions.IoiCorruption);
        command.Options.Add(SharedOptions.DropInvalid);
        command.SetGuardedAction((parse, ct) => System.Threading.Tasks.Task.Run(() =>
        {
            var kinds = SharedOptions.ParseTasks(parse);
            var file = parse.GetValue(data);
            if (file is not null && kinds.Count != 1) throw new ArgumentException("--data needs exactly one --task");
            int count = parse.GetValue(examples);
            if (count < 1) throw new ArgumentException($"--examples must be at least 1 (got {count})");
            var options = SharedOptions.ParseTaskOptions(parse);
            var folder = ModelResolver.Folder(parse.GetValue(model)!);
            HashSet<int>? trained = null;
            if (parse.GetValue(trainedOnly))
                trained = (TrainingRecord.TryRead(folder) ?? throw new ArgumentException($"--trained-tokens-only: {folder} has no {TaskModelTrainer.RecordFile} (not trained by Concord)"))
                    .TrainedTokens.ToHashSet();
            var resources = new TaskResources();
            using var gpt = ModelResolver.Load(folder, parse.GetValue(SharedOptions.Device)!, parse.GetValue(SharedOptions.Float64), ct);
            ModelResolver.RequireGpt2Vocabulary(gpt);

            var scores = new List<TaskScore>();
            foreach (var kind in kinds)
            {
                var (source, set) = file is null
                    ? DefaultEvaluation.Set(kind, resources, options, count, parse.GetValue(seed))
                    : (Path.GetFileName(file), TaskDataset.Load(kind, file, resources, options).Sample(count, parse.GetValue(seed)));
                if (trained is not null)
                {
                    int before = set.Count;
                    set = TaskEvaluation.TrainedTokensOnly(set, trained, resources.Tokenizer);
                    source += $", {set.Count} of {before} rows with trained tokens only";
                }
                var readout = TaskDescriptor.Of(kind).Define(resources).Readout(options);
                scores.Add(TaskEvaluation.Evaluate(gpt, kind, source, set, readout, resources.Tokenizer, cancel: ct));
            }
            if (parse.GetValue(json)) Console.Write(EvaluationFile.ToJson(scores));
            else WriteTable(scores);
            return 0;
        }, ct));
        return command;
    }

    public static void WriteTable(IReadOnlyList<TaskScore> scores)
    {
        Console.WriteLine($"{"task",-16} {"prompts",7} {"clean>0",8} {"lowers",8} {"mean clean",11} {"mean corr.",11}  evaluated on");
        foreach (var s in scores)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Kind.Id(),-16} {s.Prompts,7} {100 * s.CleanPositive,7:F1}% {100 * s.CorruptionLowers,7:F1}% {s.MeanClean,11:F3} {s.MeanCorrupted,11:F3}  {s.Source}"));
    }
}
