using System.CommandLine;
using System.Globalization;
using Concord.Model;
using Concord.Tasks;
using Concord.Tasks.Generators;
using Concord.Tasks.Training;

namespace Concord.Cli.Commands;

/// <summary>`concord model train`: trains a GPT-2 that performs the six tasks, then evaluates it and writes its model card.</summary>
public static class ModelTrainCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder for config.json, model.safetensors, training.json, eval.json and MODEL_CARD.md (and the checkpoint while training)", Required = true };
        var preset = new Option<string>("--preset") { Description = $"Recipe: {string.Join(", ", TrainingPreset.All.Select(p => p.Name))}", DefaultValueFactory = _ => TrainingPreset.TasksSmall.Name };
        var steps = new Option<int?>("--steps") { Description = "Optimiser steps (default: the preset's)" };
        var minutes = new Option<double?>("--minutes") { Description = "Train for about this long instead: the step count is fixed from the first steps' speed (and recorded, so --steps reproduces it)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights and of the training stream", DefaultValueFactory = _ => 0 };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads (default: one per core)" };
        var resume = new Option<bool>("--resume") { Description = "Continue the checkpoint in --out (same options); the result equals an uninterrupted run" };
        var force = new Option<bool>(WritePolicy.ForceFlag) { Description = "Train into an --out that holds config.json, model.safetensors, training.json, eval.json or MODEL_CARD.md of no unfinished training of its own, replacing them" };
        var float32 = new Option<bool>("--float32") { Description = "Store float32 weights (default float16, half the size; loads as float32/float64 either way)" };
        var headDropout = new Option<double>("--head-dropout") { Description = "Drop each attention head's output with this probability per sample and step during training (kept heads rescaled; off at evaluation): trains redundancy in", DefaultValueFactory = _ => 0 };
        var examples = new Option<int>("--eval-examples") { Description = "Prompts per task for the final evaluation", DefaultValueFactory = _ => 1000 };
        var command = new Command("train", "Train a small GPT-2 (full GPT-2 vocabulary, tied embeddings) on the six tasks; resumable")
        {
            output, preset, steps, minutes, seed, threads, resume, float32, examples, headDropout, force,
        };
        command.SetGuardedAction((parse, ct) => Task.Run(() =>
        {
            var run = new TrainingRun(SharedOptions.OfFlag(preset.Name, () => TrainingPreset.Parse(parse.GetValue(preset)!)), parse.GetValue(output)!, parse.GetValue(seed),
                parse.GetValue(steps), parse.GetValue(minutes), parse.GetValue(resume), HalfPrecision: !parse.GetValue(float32), HeadDropout: parse.GetValue(headDropout))
            {
                Force = parse.GetValue(force),
            };
            var folder = WritePolicy.Folder(output.Name, run.Out);
            run.Validate();
            // A checkpoint there is an unfinished training's, which --resume continues (and which the trainer refuses to start over);
            // without one, every file of a name the training writes is someone else's.
            if (!File.Exists(Path.Combine(folder, Model.Training.TrainingCheckpoint.FileName)))
                WritePolicy.RefuseReplacing(output.Name, run.Out, TaskModelTrainer.WrittenFiles, run.Force);
            if (parse.GetValue(threads) is int t)
            {
                if (t < 1) throw new ArgumentException($"--threads must be at least 1 (got {t})");
                // More threads than cores only contend (one run took 10 CPU-minutes in 20 s with --threads 100000).
                if (t > Environment.ProcessorCount)
                    throw new ArgumentException($"--threads {t} is more than this machine's {Environment.ProcessorCount} cores (choose 1 to {Environment.ProcessorCount})");
                TorchSharp.torch.set_num_threads(t);
            }
            int evalExamples = parse.GetValue(examples);
            if (evalExamples < 1) throw new ArgumentException($"--eval-examples must be at least 1 (got {evalExamples})");

            var resources = new TaskResources();
            var trainer = new TaskModelTrainer(resources, new WordLists(Path.Combine(resources.DatasetsFolder, "words")));
            // The preset's recipe with the step count this run will take (--steps or --minutes replace the preset's).
            var recipe = run.Steps is int given ? run.Preset with { Steps = given } : run.Preset;
            Console.WriteLine($"training {recipe.Describe()}{(run.Minutes is double m ? $" (the step count fixed after the first steps, to fit about {m.ToString(CultureInfo.InvariantCulture)} minutes)" : "")}");
            var progress = new TrainingConsole();
            var outcome = OutputWrites.Guard("Out", run.Out, () => trainer.Train(run, progress, ct));
            progress.Finish();
            Console.WriteLine($"trained {outcome.Steps} steps in {outcome.Wall.TotalMinutes:F1} min, final loss {outcome.FinalLoss:F4}; model in {run.Out}");

            using var model = HookedGpt2.Load(run.Out);
            var scores = TaskKinds.All
                .Select(kind => DefaultEvaluation.Evaluate(model, kind, resources, TaskOptions.Default, evalExamples, seed: 0, ct))
                .ToList();
            ModelEvalCommand.WriteTable(scores);
            Tasks.Evaluation.EvaluationFile.Write(Path.Combine(run.Out, Tasks.Evaluation.EvaluationFile.FileName), scores);
            ModelCard.Write(run, TrainingRecord.TryRead(run.Out)!, scores, CommandLine(parse));
            Console.WriteLine($"evaluation and model card written to {run.Out}");
            return 0;
        }, ct));
        return command;
    }

    /// <summary>The command that reproduces the model: --resume only says how an interrupted run went on, and the result equals an uninterrupted run.</summary>
    private static string CommandLine(ParseResult parse) =>
        "concord " + string.Join(' ', parse.Tokens.Where(t => t.Value != "--resume").Select(t => t.Value.Contains(' ') ? $"\"{t.Value}\"" : t.Value));

    /// <summary>Training progress: one updating line on a terminal, a line every 15 s in logs.</summary>
    private sealed class TrainingConsole : IProgress<TrainingProgress>
    {
        private DateTime _last = DateTime.MinValue;

        public void Report(TrainingProgress p)
        {
            if (p.Event is not null)
            {
                if (!Console.IsOutputRedirected) Console.WriteLine();
                Console.WriteLine(p.Resumable ? $"{p.Event} (continue with --resume)" : p.Event);
                return;
            }
            bool end = p.Step == p.TotalSteps;
            if (!end && DateTime.UtcNow - _last < TimeSpan.FromSeconds(Console.IsOutputRedirected ? 15 : 0.5)) return;
            _last = DateTime.UtcNow;
            var accuracy = string.Join(" ", p.Accuracy.OrderBy(a => a.Key).Select(a => $"{a.Key.Id()} {a.Value:F2}"));
            double fraction = p.TotalSteps > 0 ? (double)p.Step / p.TotalSteps : 0;
            string eta = fraction > 0 ? $", ETA {TimeSpan.FromSeconds(p.Elapsed.TotalSeconds * (1 - fraction) / fraction):mm\\:ss}" : "";
            string line = string.Create(CultureInfo.InvariantCulture,
                $"step {p.Step}/{p.TotalSteps} ({100 * fraction:F0}%) loss {p.Loss:F3} lr {p.LearningRate:E1} | accuracy {accuracy} | {p.Elapsed:hh\\:mm\\:ss}{eta}");
            if (Console.IsOutputRedirected) Console.WriteLine(line);
            else
            {
                int width = Math.Max(20, Console.BufferWidth - 1);
                Console.Write("\r" + (line.Length > width ? line[..width] : line.PadRight(width)));
            }
        }

        public void Finish()
        {
            if (!Console.IsOutputRedirected) Console.WriteLine();
        }
    }
}
