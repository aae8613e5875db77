using System.Text.Json;
using System.Text.Json.Nodes;
using Concord.Model;

namespace Concord.Tasks.Evaluation;

/// <summary>eval.json: a model's <see cref="TaskScore"/> table, written by `model train` and `model eval --json`, shown in run reports.</summary>
public static class EvaluationFile
{
    public const string FileName = "eval.json";

    public static string ToJson(IReadOnlyList<TaskScore> scores) =>
        new JsonArray(scores.Select(s => (JsonNode)new JsonObject
        {
            ["task"] = s.Kind.Id(),
            ["source"] = s.Source,
            ["prompts"] = s.Prompts,
            ["clean_positive"] = Math.Round(s.CleanPositive, 6),
            ["corruption_lowers"] = Math.Round(s.CorruptionLowers, 6),
            ["mean_clean"] = Math.Round(s.MeanClean, 6),
            ["mean_corrupted"] = Math.Round(s.MeanCorrupted, 6),
        }).ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    public static void Write(string path, IReadOnlyList<TaskScore> scores) => AtomicFile.WriteAllText(path, ToJson(scores));

    /// <summary>The table in <paramref name="folder"/>'s eval.json, or null when there is none.</summary>
    public static IReadOnlyList<TaskScore>? TryRead(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonNode.Parse(InputFiles.ReadText(path, InputFiles.RecordJsonBytes, "an evaluation table"))!.AsArray().Select(n => n!.AsObject()).Select(o => new TaskScore(
                TaskKinds.Parse(o["task"]!.GetValue<string>()), o["source"]!.GetValue<string>(), o["prompts"]!.GetValue<int>(),
                o["clean_positive"]!.GetValue<double>(), o["corruption_lowers"]!.GetValue<double>(),
                o["mean_clean"]!.GetValue<double>(), o["mean_corrupted"]!.GetValue<double>())).ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or ArgumentException)
        {
            throw new ModelFileException($"{path}: not a valid evaluation table ({e.Message})");
        }
    }

    /// <summary>The table as Markdown (model card, run report).</summary>
    public static string Markdown(IReadOnlyList<TaskScore> scores)
    {
        var md = new System.Text.StringBuilder();
        md.AppendLine("| task | evaluated on | prompts | clean metric > 0 | corruption lowers it | mean clean | mean corrupted |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var s in scores)
            md.AppendLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"| {s.Kind.Id()} | {s.Source} | {s.Prompts} | {100 * s.CleanPositive:F1} % | {100 * s.CorruptionLowers:F1} % | {s.MeanClean:F3} | {s.MeanCorrupted:F3} |"));
        return md.ToString();
    }
}
