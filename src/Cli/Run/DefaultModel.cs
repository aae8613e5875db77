using Concord.Model;
using Concord.Model.Store;
using Concord.Tasks;
using Concord.Tasks.Evaluation;
using Concord.Tasks.Training;

namespace Concord.Cli.Run;

/// <summary>What kind of model a folder holds, as far as its files tell.</summary>
public enum ModelKind { Gpt2, Trained, Random, Other }

/// <summary>The model a run uses, what it is, and (for a trained task model) how well it does each task.</summary>
public sealed record ResolvedModel(string Folder, string Description, ModelKind Kind, IReadOnlyList<TaskScore>? Evaluation = null)
{
    public bool IsRandom => Kind == ModelKind.Random;
}

/// <summary>
/// Without --model: real GPT-2 small when it is in the model cache, else the bundled task model
/// <c>concord-tasks-small</c>, which performs all six tasks. Random models stay available through
/// `concord model create-random` and --model.
/// </summary>
public static class DefaultModel
{
    public const string BundledName = "concord-tasks-small";

    public static string BundledFolder => Path.Combine(ProjectPaths.Root, "models", BundledName);

    /// <summary>The bundled model's name stands for its folder in the repository (unless a folder of that name is right here).</summary>
    public static string Expand(string name) => name == BundledName && !Directory.Exists(name) ? BundledFolder : name;

    public static ResolvedModel Resolve(string? requested, ModelStore store)
    {
        if (requested is not null) return Describe(store.Resolve(Expand(requested)), requested);
        if (store.TryResolve("gpt2", out var gpt2)) return new ResolvedModel(gpt2, "GPT-2 small (openai-community/gpt2, from the model cache)", ModelKind.Gpt2);
        if (!ModelStore.IsComplete(BundledFolder))
            throw new ModelFileException($"{BundledFolder}: the bundled model {BundledName} is missing (a partial clone?); pass --model");
        return Describe(BundledFolder, BundledName, " (GPT-2 small is not in the model cache)");
    }

    private static ResolvedModel Describe(string folder, string name, string why = "")
    {
        if (IsRandom(folder)) return new ResolvedModel(folder, $"{name} (a random model)", ModelKind.Random);
        if (TrainingRecord.TryRead(folder) is { } record)
        {
            var config = Gpt2Config.Load(Path.Combine(folder, "config.json"));
            return new ResolvedModel(folder,
                $"{name}: a {config.NLayer}-layer GPT-2 ({config.NHead} heads, d_model {config.NEmbd}) trained by Concord on the six tasks " +
                $"({record.Steps:N0} steps, seed {record.Seed}); not GPT-2{why}",
                ModelKind.Trained, EvaluationFile.TryRead(folder));
        }
        return new ResolvedModel(folder, name, ModelKind.Other);
    }

    private static bool IsRandom(string folder)
    {
        try { return Model.Safetensors.SafetensorsFile.Open(Path.Combine(folder, "model.safetensors")).Metadata.ContainsKey("concord_seed"); }
        catch (ModelFileException) { return false; }
    }
}
