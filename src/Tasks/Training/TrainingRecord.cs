using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Concord.Model;
using Concord.Model.Training;

namespace Concord.Tasks.Training;

/// <summary>
/// training.json beside a trained model: the recipe, seed, steps, wall time and machine it was
/// trained with, and the GPT-2 token ids it was trained on (what `model eval --trained-tokens-only`
/// filters foreign rows by).
/// </summary>
public sealed record TrainingRecord(string Preset, string Recipe, int Seed, int Steps, double FinalLoss, double WallMinutes,
    string Machine, int Threads, string Split, IReadOnlyList<int> TrainedTokens)
{
    public static void Write(string path, TrainingRun run, TrainingOutcome outcome, CompactVocabulary vocabulary)
    {
        var o = new JsonObject
        {
            ["preset"] = run.Preset.Name,
            ["recipe"] = run.Preset.Describe() + (run.HeadDropout > 0 ? $"; head dropout {run.HeadDropout.ToString(System.Globalization.CultureInfo.InvariantCulture)} (each head's output dropped per sample and step, kept heads rescaled; off at evaluation)" : ""),
            ["seed"] = run.Seed,
            ["steps"] = outcome.Steps,
            ["final_loss"] = Math.Round(outcome.FinalLoss, 6),
            ["wall_minutes"] = Math.Round(outcome.Wall.TotalMinutes, 2),
            ["machine"] = MachineDescription(),
            ["threads"] = TorchSharp.torch.get_num_threads(),
            ["precision"] = run.HalfPrecision ? "float16" : "float32",
            ["split"] = run.HeldOut.ToString(),
            ["trained_tokens"] = new JsonArray(vocabulary.FullIds.Select(i => (JsonNode)i).ToArray()),
        };
        AtomicFile.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) + "\n");
    }

    /// <summary>The record of the model in <paramref name="folder"/>, or null when it was not trained by Concord.</summary>
    public static TrainingRecord? TryRead(string folder)
    {
        var path = Path.Combine(folder, TaskModelTrainer.RecordFile);
        if (!File.Exists(path)) return null;
        try
        {
            var o = JsonNode.Parse(InputFiles.ReadText(path, InputFiles.RecordJsonBytes, "a training record"))!.AsObject();
            return new TrainingRecord(
                o["preset"]!.GetValue<string>(), o["recipe"]!.GetValue<string>(), o["seed"]!.GetValue<int>(), o["steps"]!.GetValue<int>(),
                o["final_loss"]!.GetValue<double>(), o["wall_minutes"]!.GetValue<double>(), o["machine"]!.GetValue<string>(),
                o["threads"]!.GetValue<int>(), o["split"]!.GetValue<string>(),
                o["trained_tokens"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new ModelFileException($"{path}: not a valid training record ({e.Message})");
        }
    }

    public static string MachineDescription()
    {
        string cpu = "unknown CPU";
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) cpu = line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return string.Create(CultureInfo.InvariantCulture,
            $"{RuntimeInformation.OSDescription}, {cpu}, {Environment.ProcessorCount} cores, {RuntimeInformation.ProcessArchitecture}");
    }
}
